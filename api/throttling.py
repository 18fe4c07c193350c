from rest_framework.throttling import SimpleRateThrottle


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per token (a user's integrations each get their own allowance); the rate is API_RATE."""

    scope = "token"

    def get_cache_key(self, request, view):
        token = request.auth
        if token is None or not hasattr(token, "pk"):
            return None
        # The prefix, not the row id: unique for good, so no allowance is ever shared, even across databases.
        return self.cache_format % {"scope": self.scope, "ident": token.prefix}
