"""Reads about people and the health of the periodic jobs."""

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from core.models import Heartbeat, Role, Team, User


def active_reps(team: Team) -> QuerySet[User]:
    """Return the active reps of a team."""
    return User.objects.filter(is_active=True, memberships__team=team, memberships__role=Role.REP)


def heartbeat_age(name: str = "beat") -> timedelta | None:
    """Return how long ago the periodic job `name` last ran, or None if it never has."""
    last_run_at = Heartbeat.objects.filter(name=name).values_list("last_run_at", flat=True).first()
    return None if last_run_at is None else timezone.now() - last_run_at
