"""Locks that serialise one rep's or one team's work, so caps and once-a-day jobs hold under concurrency."""

from django.db import connection
from django.db.models import BigIntegerField

from core.models import Team, User
from core.statements import Slot, Statement

# Taken at every visit's entry: compiled once.
_REP_ROW = Statement(
    lambda: User.objects.select_for_update(no_key=True).filter(pk=Slot("rep", BigIntegerField())).values_list("pk")
)


def lock_rep(rep: User) -> None:
    """Serialise one rep's cap and limit checks: whoever holds the lock counts, acts, and commits first.

    NO KEY UPDATE, not UPDATE: the foreign-key checks of rows naming the rep (a manager's events moving the rep's
    leads, checked at commit) take KEY SHARE on the same row, and a full UPDATE lock would deadlock with them.
    """
    _REP_ROW.rows(rep=rep.pk)


def lock_team_job(team: Team, job: str) -> None:
    """Serialise a job per team: on PostgreSQL a transaction-scoped advisory lock; SQLite writers queue anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s), %s)", [job, team.pk])
