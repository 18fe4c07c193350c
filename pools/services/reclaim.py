"""The reclaim job: a lead whose timer ran out is taken back and given to a colleague, or to the public pool.

It works in bounded batches across all teams and is safe to run twice at once: a second run skips the rows the
first has locked (SKIP LOCKED), and a follow-up locks its lead too, so whichever commits first wins.
"""

import heapq
from dataclasses import dataclass, field
from datetime import timedelta

import psycopg
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.models import Membership, Notification, Role, TeamPolicy, User
from core.notifications import company_list, notify
from core.policy import active_policies
from hooks.models import ChatPurpose, GroupChat, HookEvent
from hooks.outbox import publish, queue_chat_message
from leads.deadlines import deadlines_from, overdue, reclaim_reason
from leads.lifecycle import move_lead, sql_set_list
from leads.models import EventJob, EventKind, Lead, LeadState
from pools.cooldown import last_losses

RECLAIM_BATCH = 20_000


@dataclass
class ReclaimResult:
    moved: list[tuple[int, int, int | None]] = field(default_factory=list)  # (lead, old owner, new owner or None)

    @property
    def to_colleagues(self) -> int:
        return sum(1 for _lead, _old, new in self.moved if new is not None)

    @property
    def to_pool(self) -> int:
        return sum(1 for _lead, _old, new in self.moved if new is None)


def plan_reclaim(policies: dict[int, TeamPolicy], candidates: list[dict], now) -> list[tuple[dict, int | None]]:
    """Pick each overdue lead's next owner: the active rep of its team with the fewest open assigned leads, never
    its last owner nor anyone in cooldown for it; when nobody qualifies, the public pool."""
    team_ids = {lead["team_id"] for lead in candidates}
    reps = Membership.objects.filter(team_id__in=team_ids, role=Role.REP, user__is_active=True)
    reps_by_team: dict[int, list[int]] = {}
    for team_id, rep_id in reps.values_list("team_id", "user_id"):
        reps_by_team.setdefault(team_id, []).append(rep_id)
    load = dict(
        Lead.objects.filter(owner__in=reps.values("user_id"), state=LeadState.ASSIGNED)
        .values_list("owner")
        .annotate(count=Count("pk"))
        .values_list("owner", "count")
    )
    longest = max(policies[team_id].reclaim_cooldown_days for team_id in team_ids)
    lost = last_losses([lead["pk"] for lead in candidates], days=longest, now=now)
    # Per team, a heap of (open leads, tie-break, rep): the least loaded rep is always on top.
    heaps = {
        team_id: [(load.get(rep_id, 0), rep_id, rep_id) for rep_id in team_reps]
        for team_id, team_reps in reps_by_team.items()
    }
    for heap in heaps.values():
        heapq.heapify(heap)
    plan = []
    for lead in candidates:
        heap = heaps.get(lead["team_id"], [])
        cooling_since = now - timedelta(days=policies[lead["team_id"]].reclaim_cooldown_days)
        passed_over = []
        chosen = None
        while heap:
            entry = heapq.heappop(heap)
            count, tie, rep_id = entry
            lost_at = lost.get((lead["pk"], rep_id))
            if rep_id == lead["owner_id"] or (lost_at is not None and lost_at > cooling_since):
                passed_over.append(entry)
                continue
            chosen = rep_id
            heapq.heappush(heap, (count + 1, tie, rep_id))
            break
        for entry in passed_over:
            heapq.heappush(heap, entry)
        plan.append((lead, chosen))
    return plan


RECLAIM_SQL = """
WITH moves AS (
    SELECT * FROM unnest(%(leads)b::bigint[], %(old_owners)b::bigint[], %(old_states)b::text[],
                         %(new_owners)b::bigint[], %(reasons)b::text[])
        AS m(lead_id, old_owner_id, old_state, new_owner_id, reason_code)
),
deadlines AS (
    SELECT * FROM unnest(%(teams)b::bigint[], %(follow_ups)b::timestamptz[], %(resolves)b::timestamptz[])
        AS d(team_id, follow_up, resolve)
),
moved AS (
    UPDATE leads_lead AS l
       SET {set_list}
      FROM moves AS m, deadlines AS d
     WHERE l.id = m.lead_id AND l.owner_id = m.old_owner_id AND l.state = m.old_state AND d.team_id = l.team_id
 RETURNING l.id, l.team_id, m.old_owner_id, m.old_state, m.new_owner_id, m.reason_code
)
INSERT INTO pools_leadevent (lead_id, team_id, kind, actor_id, job, from_state, to_state, from_owner_id, to_owner_id,
                             reason, reason_code, created_at)
SELECT id, team_id, 'reclaimed', NULL, %(job)s, old_state, %(to_state)s, old_owner_id, new_owner_id, '', reason_code,
       %(now)s
  FROM moved
RETURNING lead_id, from_owner_id, to_owner_id
"""


def _apply_reclaim(plan, policies: dict[int, TeamPolicy], now) -> list[tuple[int, int, int | None]]:
    """Move each planned lead still held as it was read; the caller holds the rows' locks."""
    if not plan:
        return []
    if connection.vendor == "postgresql":
        to_colleagues = [(lead, new) for lead, new in plan if new is not None]
        to_pool = [(lead, new) for lead, new in plan if new is None]
        return _reclaim_sql(to_colleagues, LeadState.ASSIGNED, policies, now) + _reclaim_sql(
            to_pool, LeadState.PUBLIC, policies, now
        )
    # SQLite: writers are serialised; each lead is still moved only if it is as it was read.
    moved = []
    users = {user.pk: user for user in User.objects.filter(pk__in=[new for _lead, new in plan if new])}
    for lead, new_owner in plan:
        was = Lead(pk=lead["pk"], team_id=lead["team_id"], state=lead["state"], owner_id=lead["owner_id"])
        entering = {"owner": users[new_owner], "policy": policies[lead["team_id"]]} if new_owner else {}
        if move_lead(
            was,
            LeadState.ASSIGNED if new_owner else LeadState.PUBLIC,
            kind=EventKind.RECLAIMED,
            now=now,
            expect={"owner_id": lead["owner_id"], "state": lead["state"]},
            job=EventJob.RECLAIM,
            reason_code=reclaim_reason(lead, now),
            **entering,
        ):
            moved.append((lead["pk"], lead["owner_id"], new_owner))
    return moved


def _reclaim_sql(plan, to_state: str, policies: dict[int, TeamPolicy], now) -> list[tuple[int, int, int | None]]:
    """One statement for a batch of leads going to `to_state`: the moves, then one event each."""
    if not plan:
        return []
    per_row = {"owner": "m.new_owner_id", "follow_up_deadline": "d.follow_up", "resolve_deadline": "d.resolve"}
    if to_state == LeadState.PUBLIC:
        per_row = {}
    set_list, params = sql_set_list(to_state, from_row=per_row, now=now)
    deadlines = {team_id: deadlines_from(policy, now) for team_id, policy in policies.items()}
    connection.ensure_connection()
    # A psycopg cursor binding on the server (in the same transaction) sends the arrays in binary: quoted into the
    # statement as text, a batch's arrays took a third as long to build as the statement took to run.
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(
            RECLAIM_SQL.format(set_list=set_list),
            {
                **params,
                "leads": [lead["pk"] for lead, _new in plan],
                "old_owners": [lead["owner_id"] for lead, _new in plan],
                "old_states": [lead["state"] for lead, _new in plan],
                "new_owners": [new for _lead, new in plan],
                "reasons": [reclaim_reason(lead, now) for lead, _new in plan],
                "teams": list(deadlines),
                "follow_ups": [team["follow_up_deadline"] for team in deadlines.values()],
                "resolves": [team["resolve_deadline"] for team in deadlines.values()],
                "job": EventJob.RECLAIM,
                "to_state": to_state,
                "now": now,
            },
        )
        return cursor.fetchall()


def reclaim_overdue(*, now=None, batch_size: int = RECLAIM_BATCH) -> ReclaimResult:
    """Take back every lead whose timer ran out and give it to a colleague (or the pool); notify who is concerned."""
    now = now or timezone.now()
    result = ReclaimResult()
    policies = active_policies()
    if not policies:
        return result
    while True:
        with transaction.atomic():
            # The rows stay locked until the batch commits, so nothing changes them between this read and the move.
            candidates = list(
                Lead.objects.filter(overdue(policies, now))
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("pk")
                .values(
                    "pk", "team_id", "owner_id", "state", "company_name", "follow_up_deadline", "last_follow_up_at"
                )[:batch_size]
            )
            if not candidates:
                break
            moved = _apply_reclaim(plan_reclaim(policies, candidates, now), policies, now)
            _notify_reclaim(moved, candidates, now)
            _tell_outside(moved, candidates, now)
            result.moved.extend(moved)
        if len(candidates) < batch_size:
            break
    return result


def _notify_reclaim(moved, candidates, now) -> None:
    """Tell each old owner, each new owner and the teams' managers: one message each per batch."""
    if not moved:
        return
    names = {lead["pk"]: lead["company_name"] for lead in candidates}
    team_of = {lead["pk"]: lead["team_id"] for lead in candidates}
    lost: dict[int, list[int]] = {}
    gained: dict[int, list[int]] = {}
    lost_by_team: dict[int, dict[int, int]] = {}
    for lead_id, old_owner, new_owner in moved:
        lost.setdefault(old_owner, []).append(lead_id)
        if new_owner is not None:
            gained.setdefault(new_owner, []).append(lead_id)
        per_rep = lost_by_team.setdefault(team_of[lead_id], {})
        per_rep[old_owner] = per_rep.get(old_owner, 0) + 1
    rep_names = {rep.pk: str(rep) for rep in User.objects.filter(pk__in=list(lost)).only("pk", "name", "username")}
    for_managers: dict[int, dict[int, int]] = {}
    for team_id, manager_id in Membership.objects.filter(
        team_id__in=list(lost_by_team), role=Role.MANAGER, user__is_active=True
    ).values_list("team_id", "user_id"):
        for rep_id, count in lost_by_team[team_id].items():
            for_managers.setdefault(manager_id, {})[rep_id] = count
    Kind = Notification.Kind

    def about(user_id, kind, leads):
        params = {"count": len(leads), "companies": company_list([names[lead_id] for lead_id in leads])}
        return Notification(user_id=user_id, kind=kind, params=params, created_at=now)

    notify(
        [
            *(about(user_id, Kind.RECLAIMED, leads) for user_id, leads in lost.items()),
            *(about(user_id, Kind.REASSIGNED, leads) for user_id, leads in gained.items()),
            *(
                Notification(
                    user_id=manager_id,
                    kind=Kind.TEAM_RECLAIMED,
                    params={
                        "count": sum(per_rep.values()),
                        "reps": ", ".join(f"{rep_names.get(rep, rep)} ({count})" for rep, count in per_rep.items()),
                    },
                    created_at=now,
                )
                for manager_id, per_rep in for_managers.items()
            ),
        ]
    )


def _tell_outside(moved, candidates, now) -> None:
    """A webhook event per lead; one alert per team in the managers' group chat."""
    if not moved:
        return
    leads = {lead["pk"]: lead for lead in candidates}
    publish(
        HookEvent.LEAD_RECLAIMED,
        [
            (
                leads[lead_id]["team_id"],
                {"lead": lead_id, "company": leads[lead_id]["company_name"], "from_rep": old, "to_rep": new},
            )
            for lead_id, old, new in moved
        ],
        at=now,
    )
    by_team: dict[int, list[tuple[int, int | None, str]]] = {}
    for lead_id, old, new in moved:
        by_team.setdefault(leads[lead_id]["team_id"], []).append((old, new, leads[lead_id]["company_name"]))
    chats = GroupChat.objects.filter(team_id__in=list(by_team), purpose=ChatPurpose.MANAGERS).select_related("team")
    if not chats:
        return
    people = {
        user.pk: str(user)
        for user in User.objects.filter(pk__in={old for _l, old, _n in moved}).only("pk", "name", "username")
    }
    for chat in chats:
        rows = by_team[chat.team_id]

        def compose(rows=rows):
            title = ngettext(
                "%(count)s lead reclaimed after a missed deadline",
                "%(count)s leads reclaimed after a missed deadline",
                len(rows),
            ) % {"count": len(rows)}
            to_colleague, to_pool = _("a colleague"), _("the public pool")
            lines = [
                f"- {company}: {people.get(old, old)} → {to_colleague if new else to_pool}"
                for old, new, company in rows[:20]
            ]
            if len(rows) > 20:
                lines.append(_("… and %(count)s more") % {"count": len(rows) - 20})
            return title, lines

        queue_chat_message(chat, compose, at=now)
