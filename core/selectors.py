"""Reads scoped to what a user may see."""

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from core.models import Heartbeat, Membership, Role, Team, User


def teams_of(user: User) -> QuerySet[Team]:
    """Return the teams a user works in (every team for an admin)."""
    if not user.is_authenticated:
        return Team.objects.none()
    if user.role == Role.ADMIN:
        return Team.objects.all()
    # A subquery, not a join, so callers can still annotate counts over all of a team's memberships.
    return Team.objects.filter(pk__in=Membership.objects.filter(user=user).values("team"))


def team_of_rep(user: User) -> Team | None:
    """Return the one team a rep belongs to."""
    membership = Membership.objects.filter(user=user, role=Role.REP).select_related("team").first()
    return membership.team if membership else None


def scope_to_user(queryset: QuerySet, user: User, *, team_field: str = "team", owner_field: str = "owner") -> QuerySet:
    """Narrow `queryset` to the rows `user` may see.

    A rep sees the rows they own; a manager and QC the rows of their teams; an admin everything; anybody else nothing.
    Every list and detail view fetches through this, so another rep's row is simply not found (404).
    """
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    role = user.role
    if role == Role.ADMIN:
        return queryset
    if role == Role.REP:
        return queryset.filter(**{owner_field: user})
    if role in (Role.MANAGER, Role.QC):
        return queryset.filter(**{f"{team_field}__in": Membership.objects.filter(user=user).values("team")})
    return queryset.none()


def members_visible_to(user: User) -> QuerySet[Membership]:
    """Return the memberships `user` may list: colleagues in their own teams (all, for an admin)."""
    memberships = Membership.objects.select_related("user", "team")
    if not user.is_authenticated or not user.is_active:
        return memberships.none()
    if user.role == Role.ADMIN:
        return memberships
    return memberships.filter(team__in=Membership.objects.filter(user=user).values("team"))


def active_reps(team: Team) -> QuerySet[User]:
    """Return the active reps of a team."""
    return User.objects.filter(is_active=True, memberships__team=team, memberships__role=Role.REP)


def heartbeat_age(name: str = "beat") -> timedelta | None:
    """Return how long ago the periodic job `name` last ran, or None if it never has."""
    last_run_at = Heartbeat.objects.filter(name=name).values_list("last_run_at", flat=True).first()
    return None if last_run_at is None else timezone.now() - last_run_at
