from django.utils import timezone

from core.access import teams_of


class TeamTimeZoneMiddleware:
    """Show times in the time zone of the user's team (the first one, for a manager of several)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        team = teams_of(user).order_by("pk").first() if user is not None and user.is_authenticated else None
        request.team = team
        if team is not None:
            timezone.activate(team.time_zone)
        else:
            timezone.deactivate()
        return self.get_response(request)
