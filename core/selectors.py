"""Reads about people."""

from django.db.models import QuerySet

from core.models import Role, Team, User


def active_reps(team: Team) -> QuerySet[User]:
    """Return the active reps of a team."""
    return User.objects.filter(is_active=True, memberships__team=team, memberships__role=Role.REP)
