from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from api.tokens import token_for


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer crm_…`: the user whose token it is, while both the token and the user are active."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() not in ("bearer", "token"):
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the header as: Authorization: Bearer <token>."))
        token = token_for(header[1])
        if token is None:
            raise exceptions.AuthenticationFailed(_("This token is unknown or revoked."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("This token's user is deactivated."))
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword
