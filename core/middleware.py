import time

from django.utils import timezone

from core import metrics
from core.access import teams_of
from core.logs import current_request, request_id_from


class TeamTimeZoneMiddleware:
    """Show times in the time zone of the user's team (the first one, for a manager of several)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        team = None
        if user is not None and user.is_authenticated:
            membership = user.first_membership
            team = membership.team if membership else teams_of(user).order_by("pk").first()
        request.team = team
        if team is not None:
            timezone.activate(team.time_zone)
        else:
            timezone.deactivate()
        return self.get_response(request)


# Browser features no page needs; a page that needs one names it with `uses_browser_features`.
BROWSER_FEATURES = ("camera", "geolocation", "microphone", "payment", "usb")


def uses_browser_features(*features: str):
    """Mark a view whose page may ask the browser for `features` (say, the position for a visit)."""
    unknown = set(features) - set(BROWSER_FEATURES)
    if unknown:
        raise ValueError(f"unknown browser features: {sorted(unknown)}")

    def decorator(view):
        view.browser_features = frozenset(features)
        return view

    return decorator


class PermissionsPolicyMiddleware:
    """Send a Permissions-Policy that denies every powerful browser feature except those the page's view asked for."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        allowed = getattr(getattr(request, "resolver_match", None), "func", None)
        allowed = getattr(allowed, "browser_features", frozenset())
        response.setdefault(
            "Permissions-Policy",
            ", ".join(f"{feature}=(self)" if feature in allowed else f"{feature}=()" for feature in BROWSER_FEATURES),
        )
        return response


class RequestContextMiddleware:
    """Give each request an id (nginx's X-Request-ID when it sends one), make it and the user known to every log line
    written while it is served, answer with it in X-Request-ID, and count the request for /metrics."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_from(request.headers.get("X-Request-ID"))
        token = current_request.set(request)
        started = time.monotonic()
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(token)
        elapsed_ms = round((time.monotonic() - started) * 1000)
        status_class = f"{response.status_code // 100}xx"
        metrics.count_together({("requests", status_class): 1, ("request_ms", status_class): elapsed_ms})
        response["X-Request-ID"] = request.request_id
        return response
