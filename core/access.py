"""Who may do and see what: the one home of the role checks, the team look-ups and the scoping of querysets.

A person has one role everywhere (a superuser is an admin). A rep belongs to one team; a manager runs the teams
they are a manager of; QC audits the teams they are QC of; an admin sees every team. Rows are scoped by
`scope_to_user`, and pages fetch single rows through a scoped queryset, so another rep's row is a 404, not a 403.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.models import Membership, Role, Team, User

# --- Pages by role ----------------------------------------------------------------------------------------------


def role_required(*roles: str):
    """Let a view through only for logged-in users having one of `roles`; others get 403."""
    allowed = set(roles)

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.user.role not in allowed:
                # A page answered, not an exception raised: a rep following an old link is no error of the
                # server's, and Django would log a raised PermissionDenied with its traceback.
                return render(request, "403.html", status=403)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


rep_required = role_required(Role.REP)
manager_required = role_required(Role.MANAGER, Role.ADMIN)
qc_required = role_required(Role.QC, Role.ADMIN)
admin_required = role_required(Role.ADMIN)


# --- Teams ------------------------------------------------------------------------------------------------------


def _is_working(user: User) -> bool:
    return user.is_authenticated and user.is_active


def teams_of(user: User) -> QuerySet[Team]:
    """Return the teams a user works in: a rep's one team, a manager's or QC's teams, every team for an admin."""
    if not _is_working(user):
        return Team.objects.none()
    if user.role == Role.ADMIN:
        return Team.objects.all()
    # A subquery, not a join, so callers can still annotate counts over all of a team's memberships.
    return Team.objects.filter(pk__in=Membership.objects.filter(user=user).values("team"))


def managed_teams(user: User) -> QuerySet[Team]:
    """Return the teams `user` manages (every team for an admin), by name, each with its policy."""
    if not _is_working(user) or user.role not in (Role.MANAGER, Role.ADMIN):
        return Team.objects.none()
    # A manager's pages show and judge by the team's policy (targets, timers, quotas): it comes with the team.
    return teams_of(user).select_related("policy").order_by("name")


def managed_team_ids(user: User) -> set[int]:
    return set(managed_teams(user).values_list("pk", flat=True))


def audited_teams(user: User) -> QuerySet[Team]:
    """Return the teams whose visits `user` audits (every team for an admin), by name."""
    if not _is_working(user) or user.role not in (Role.QC, Role.ADMIN):
        return Team.objects.none()
    return teams_of(user).order_by("name")


def report_teams(user: User) -> list[Team]:
    """Return the teams whose reports `user` reads: a manager's teams, QC's teams, every team for an admin."""
    if not _is_working(user) or user.role not in (Role.MANAGER, Role.QC, Role.ADMIN):
        return []
    # Every report judges its days by the team's targets: each team comes with its policy.
    return list(teams_of(user).select_related("policy").order_by("name"))


def rep_team(user: User) -> Team | None:
    """Return the one team of an active rep, else None."""
    if not _is_working(user) or user.role != Role.REP:
        return None
    return user.first_membership.team  # a rep has exactly one membership


def chosen_team(request, teams) -> Team:
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


# --- Rows -------------------------------------------------------------------------------------------------------


def scope_to_user(queryset: QuerySet, user: User, *, team_field: str = "team", owner_field: str = "owner") -> QuerySet:
    """Narrow `queryset` to the rows `user` may see.

    A rep sees the rows they own; a manager and QC the rows of their teams; an admin everything; anybody else
    nothing. Every list and detail page fetches through this (or through a selector built on it).
    """
    if not _is_working(user):
        return queryset.none()
    role = user.role
    if role == Role.ADMIN:
        return queryset
    if role == Role.REP:
        return queryset.filter(**{owner_field: user})
    if role in (Role.MANAGER, Role.QC):
        # The team ids are read first: PostgreSQL plans "team_id IN (1, 2)" onto the team's indexes, but not a
        # subquery that could name any team.
        return queryset.filter(**{f"{team_field}__in": user.team_ids})
    return queryset.none()


# --- Refusals inside services -----------------------------------------------------------------------------------


def require_rep_team(actor: User) -> Team:
    """Return the team of an active rep, or refuse anyone else."""
    team = rep_team(actor)
    if team is None:
        raise DomainError(_("Only a rep of a team can do this."))
    return team


def require_manager_of(actor: User, team_id: int) -> None:
    if team_id not in managed_team_ids(actor):
        raise DomainError(_("Only a manager of this team can do this."))


def require_qc_of(actor: User, team: Team) -> None:
    """Refuse anyone but QC staff of the team (or an admin)."""
    if team.pk not in set(audited_teams(actor).values_list("pk", flat=True)):
        raise DomainError(_("Only QC staff of this team can do this."))


def is_owner_or_manager(actor: User, *, owner_id: int | None, team_id: int) -> bool:
    """Whether `actor` is the rep owning a row, or a manager of its team (an admin manages every team)."""
    if actor.role == Role.REP and actor.is_active and owner_id == actor.pk:
        return True
    return team_id in managed_team_ids(actor)


def require_owner_or_manager(actor: User, *, owner_id: int | None, team_id: int) -> None:
    if not is_owner_or_manager(actor, owner_id=owner_id, team_id=team_id):
        raise DomainError(_("Only the lead's owner or a manager of its team can do this."))
