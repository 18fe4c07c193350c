"""The one permission layer every app uses: a view decorator per role."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from core.models import Role


def role_required(*roles: str):
    """Let a view through only for logged-in users having one of `roles`; others get 403."""
    allowed = set(roles)

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.user.role not in allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


rep_required = role_required(Role.REP)
manager_required = role_required(Role.MANAGER, Role.ADMIN)
qc_required = role_required(Role.QC, Role.ADMIN)
admin_required = role_required(Role.ADMIN)


def chosen_team(request, teams):
    """Return the team picked by ?team= (or a posted team) among the `teams` the user may see, else the first.

    A team outside `teams`, or no team at all, is a 404: nobody learns that another team exists.
    """
    wanted = request.GET.get("team") or request.POST.get("team")
    if not wanted:
        if not teams:
            raise Http404
        return teams[0]
    for team in teams:
        if str(team.pk) == wanted:
            return team
    raise Http404
