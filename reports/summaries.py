"""The evening meeting's summary, posted to each team's managers' group chat at the time the team set."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.calendar import has_passed, local_day
from hooks.models import ChatPurpose, Delivery, GroupChat
from hooks.outbox import queue_chat_message
from reports.daily import evening_meeting


def meeting_summary(chat: GroupChat, day) -> tuple[str, list[str]]:
    """The title and markdown lines of a team's day: totals first, then each rep (who missed the target last)."""
    rows, totals = evening_meeting(chat.team, day)
    title = _("%(team)s, %(day)s: evening meeting") % {"team": chat.team, "day": day.isoformat()}
    lines = [
        _("**Visits** %(in_person)s in person, %(effective)s effective, %(cold)s cold; %(phone)s calls") % vars(totals),
        _("**Contracts** %(contracts)s, ¥%(amount)s; **collected** ¥%(collected)s")
        % {"contracts": totals.contracts, "amount": totals.contract_amount, "collected": totals.collected},
        "",
    ]
    for row in sorted(rows, key=lambda row: (not row.target_met, -row.effective, str(row.rep))):
        mark = "✅" if row.target_met else "⚠️"
        lines.append(
            _("- %(mark)s %(rep)s: %(in_person)s visits, %(effective)s effective")
            % {"mark": mark, "rep": row.rep, "in_person": row.in_person, "effective": row.effective}
        )
    return title, lines


def post_due_summaries(*, now: datetime | None = None) -> list[Delivery]:
    """Queue today's summary for every managers' group whose time has come and that has not had it today.

    The chat's row is locked (SKIP LOCKED) and marked in the same transaction, so two beats post it once.
    """
    now = now or timezone.now()
    queued = []
    candidates = GroupChat.objects.filter(purpose=ChatPurpose.MANAGERS, summary_time__isnull=False)
    for chat_id in candidates.values_list("pk", flat=True):
        with transaction.atomic():
            chat = (
                GroupChat.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("team")
                .filter(pk=chat_id)
                .first()
            )
            if chat is None or not has_passed(chat.team, chat.summary_time, now):
                continue
            day = local_day(chat.team, now)
            if chat.summary_posted_on == day:
                continue
            queued.append(queue_chat_message(chat, lambda chat=chat, day=day: meeting_summary(chat, day), at=now))
            GroupChat.objects.filter(pk=chat.pk).update(summary_posted_on=day)
    return queued
