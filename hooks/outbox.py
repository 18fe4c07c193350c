"""Writing to the outbox: called by the services that change leads, visits and deals, inside their transactions.

A message is a row written with the change, so it leaves if and only if the change is committed; the worker is asked
to send it after the commit, and the minute job sends whatever is still due (a broker that was down loses nothing).
"""

from datetime import datetime

from django.db import transaction
from django.db.models import BigIntegerField
from django.utils import timezone, translation

from core.models import Team
from core.statements import Slot, Statement
from hooks.models import Delivery, GroupChat, Subscription
from hooks.tasks import deliver_due_task


def _send_soon() -> None:
    # robust: a broker that is down must not fail a change whose data is saved; the minute job sends it later.
    transaction.on_commit(deliver_due_task.delay, robust=True)


def _subscriptions():
    # Unordered: the model's order (by team, so by the team's name) would join the teams on every visit entry.
    return Subscription.objects.order_by().values_list("pk", "team_id", "events")


# Read at every visit's entry (one team's): compiled once.
_SUBSCRIPTIONS_OF_TEAM = Statement(lambda: _subscriptions().filter(team_id=Slot("team", BigIntegerField())))


def publish(event: str, items: list[tuple[int, dict]], *, at: datetime | None = None) -> int:
    """Queue `event` for every webhook of each item's team that wants it; `items` are (team id, data) pairs.

    One query finds the subscriptions of all the teams at once, so a reclaim of thousands of leads costs one
    query and one insert, not one per lead. Returns how many deliveries were queued.
    """
    if not items:
        return 0
    at = at or timezone.now()
    wanting: dict[int, list[int]] = {}
    teams = {team_id for team_id, _data in items}
    if len(teams) == 1:
        subscriptions = _SUBSCRIPTIONS_OF_TEAM.rows(team=next(iter(teams)))
    else:
        subscriptions = _subscriptions().filter(team_id__in=teams)
    for subscription_id, team_id, events in subscriptions:
        if event in events:
            wanting.setdefault(team_id, []).append(subscription_id)
    if not wanting:
        return 0
    deliveries = [
        Delivery(
            team_id=team_id,
            subscription_id=subscription_id,
            event=event,
            payload={"event": event, "occurred_at": at.isoformat(), "team": team_id, "data": data},
            created_at=at,
            next_attempt_at=at,
        )
        for team_id, data in items
        for subscription_id in wanting.get(team_id, ())
    ]
    Delivery.objects.bulk_create(deliveries)
    _send_soon()
    return len(deliveries)


def tell_group(team: Team | int, purpose: str, compose, *, at: datetime | None = None) -> Delivery | None:
    """Queue a message for the team's group chat of `purpose`, if it has one.

    `compose()` returns (title, markdown lines); it is called in the team's language, whoever's request this is.
    """
    team_id = team if isinstance(team, int) else team.pk
    chat = GroupChat.objects.filter(team_id=team_id, purpose=purpose).select_related("team").first()
    if chat is None:
        return None
    return queue_chat_message(chat, compose, at=at)


def queue_chat_message(chat: GroupChat, compose, *, at: datetime | None = None) -> Delivery:
    at = at or timezone.now()
    with translation.override(chat.team.language):
        title, lines = compose()
        title, text = str(title), "\n".join(str(line) for line in lines)
    delivery = Delivery.objects.create(
        team_id=chat.team_id,
        chat=chat,
        event=f"chat.{chat.purpose}",
        payload={"title": title, "text": text},
        created_at=at,
        next_attempt_at=at,
    )
    _send_soon()
    return delivery
