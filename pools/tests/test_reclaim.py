from datetime import timedelta

import pytest
from django.utils import timezone, translation

from core.models import Notification, Role
from core.tests.factories import member
from leads.models import EventKind, EventReason, Lead, LeadEvent, LeadState
from leads.tests.factories import LeadFactory, owned_lead
from pools.services.ownership import claim_lead, keep_lead, record_follow_up
from pools.services.reclaim import reclaim_overdue
from pools.services.reminders import send_reminders

START = "2026-11-27 09:00:00+08:00"


@pytest.fixture
def claimed(team, owner, time_machine):
    time_machine.move_to(START, tick=False)
    lead = LeadFactory(team=team)
    claim_lead(actor=owner, lead=lead)
    return lead


def test_a_lead_not_followed_up_within_48_hours_goes_to_a_colleague(claimed, owner, teammate, manager, time_machine):
    time_machine.move_to("2026-11-29 08:59:00+08:00", tick=False)
    assert reclaim_overdue().moved == []

    time_machine.move_to("2026-11-29 09:00:01+08:00", tick=False)
    result = reclaim_overdue()

    claimed.refresh_from_db()
    assert (claimed.owner, claimed.state) == (teammate, LeadState.ASSIGNED)
    assert claimed.follow_up_deadline == timezone.now() + timedelta(hours=48)
    event = LeadEvent.objects.get(lead=claimed, kind=EventKind.RECLAIMED)
    assert (event.from_owner, event.to_owner, event.job) == (owner, teammate, "reclaim")
    assert result.to_colleagues == 1
    kinds = dict(Notification.objects.values_list("user__username", "kind"))
    assert kinds == {"owner": "reclaimed", "teammate": "reassigned", "manager": "team_reclaimed"}
    with translation.override("en"):
        told = Notification.objects.get(user=manager).message
    assert told == f"1 lead was reclaimed from your reps: {owner.name} (1)"  # by name, in the singular


def test_a_followed_up_lead_is_kept_until_the_resolve_deadline(claimed, owner, teammate, time_machine):
    time_machine.move_to("2026-11-28 10:00:00+08:00", tick=False)
    assert record_follow_up(actor=owner, lead=claimed)

    time_machine.move_to("2026-12-03 10:00:00+08:00", tick=False)
    assert reclaim_overdue().moved == []

    time_machine.move_to("2026-12-04 09:00:01+08:00", tick=False)
    reclaim_overdue()
    claimed.refresh_from_db()
    assert claimed.owner == teammate


def test_the_colleague_with_the_fewest_open_leads_gets_it(team, claimed, owner, time_machine):
    busy = member(team, Role.REP, username="busy")
    idle = member(team, Role.REP, username="idle")
    for _ in range(3):
        owned_lead(team, busy)
    owned_lead(team, idle)

    time_machine.move_to("2026-11-30 09:00:00+08:00", tick=False)
    reclaim_overdue()

    claimed.refresh_from_db()
    assert claimed.owner == idle


def test_with_no_colleague_the_lead_goes_back_to_the_public_pool(claimed, owner, time_machine):
    time_machine.move_to("2026-11-30 09:00:00+08:00", tick=False)

    result = reclaim_overdue()

    claimed.refresh_from_db()
    assert (claimed.owner, claimed.state, claimed.follow_up_deadline) == (None, LeadState.PUBLIC, None)
    assert result.to_pool == 1


def test_a_colleague_in_cooldown_for_the_lead_is_passed_over(team, owner, teammate, time_machine):
    time_machine.move_to(START, tick=False)
    lead = owned_lead(team, teammate)
    from pools.services.ownership import return_lead

    return_lead(actor=teammate, lead=lead, reason="not now")
    claim_lead(actor=owner, lead=lead)

    time_machine.move_to("2026-11-30 09:00:00+08:00", tick=False)
    reclaim_overdue()

    lead.refresh_from_db()
    assert (lead.owner, lead.state) == (None, LeadState.PUBLIC)


def test_the_reclaimed_rep_cannot_claim_the_lead_back_for_the_cooldown(claimed, owner, time_machine):
    time_machine.move_to("2026-11-30 09:00:00+08:00", tick=False)
    reclaim_overdue()

    from core.errors import DomainError

    with pytest.raises(DomainError, match="你最近放弃或失去了这条线索"):
        claim_lead(actor=owner, lead=claimed)


def test_an_idle_private_lead_is_taken_back_after_30_days(claimed, owner, teammate, time_machine):
    keep_lead(actor=owner, lead=claimed)
    time_machine.move_to("2026-12-20 09:00:00+08:00", tick=False)
    record_follow_up(actor=owner, lead=claimed)

    time_machine.move_to("2027-01-19 08:59:00+08:00", tick=False)
    assert reclaim_overdue().moved == []
    time_machine.move_to("2027-01-19 09:00:01+08:00", tick=False)
    reclaim_overdue()

    claimed.refresh_from_db()
    assert (claimed.owner, claimed.state) == (teammate, LeadState.ASSIGNED)
    assert LeadEvent.objects.get(lead=claimed, kind=EventKind.RECLAIMED).reason_code == EventReason.PRIVATE_IDLE


def test_reclaim_is_idempotent(claimed, teammate, time_machine):
    time_machine.move_to("2026-11-30 09:00:00+08:00", tick=False)

    reclaim_overdue()
    reclaim_overdue()

    assert LeadEvent.objects.filter(kind=EventKind.RECLAIMED).count() == 1


def test_a_follow_up_on_a_lead_that_moved_is_refused_politely(claimed, owner, teammate, time_machine):
    time_machine.move_to("2026-11-30 09:00:00+08:00", tick=False)
    reclaim_overdue()

    assert record_follow_up(actor=owner, lead=claimed) is False
    assert record_follow_up(actor=teammate, lead=claimed) is True


def test_owners_are_reminded_once_before_each_deadline(claimed, owner, time_machine):
    time_machine.move_to("2026-11-28 20:00:00+08:00", tick=False)
    assert send_reminders() == 0

    time_machine.move_to("2026-11-28 21:00:01+08:00", tick=False)  # 12 hours before the first deadline
    assert send_reminders() == 1
    assert send_reminders() == 0
    reminder = Notification.objects.get(kind=Notification.Kind.REMINDER)
    assert reminder.user == owner
    assert claimed.company_name in reminder.message

    record_follow_up(actor=owner, lead=claimed)
    time_machine.move_to("2026-12-03 21:00:01+08:00", tick=False)  # 12 hours before resolution
    assert send_reminders() == 1
    assert send_reminders() == 0


def test_reclaim_covers_every_team_in_its_own_right(team, other_team, owner, outsider, time_machine):
    time_machine.move_to(START, tick=False)
    mine = owned_lead(team, owner)
    theirs = owned_lead(other_team, outsider)

    time_machine.move_to("2026-11-30 09:00:00+08:00", tick=False)
    reclaim_overdue()

    assert Lead.objects.get(pk=mine.pk).state == LeadState.PUBLIC
    assert Lead.objects.get(pk=theirs.pk).state == LeadState.PUBLIC
    # Each event keeps its lead's team: a team's reclaims are counted from its own history.
    reclaims = LeadEvent.objects.filter(kind=EventKind.RECLAIMED).values_list("lead_id", "team_id")
    assert set(reclaims) == {(mine.pk, team.pk), (theirs.pk, other_team.pk)}
