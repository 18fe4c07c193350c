"""What a manager (or an admin) does with the team's integrations: webhooks, group chats, and retrying a message."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import require_manager_of
from core.errors import DomainError
from core.models import Team, User
from hooks.delivery import SendFailed, check_address
from hooks.models import ChatPurpose, Delivery, DeliveryStatus, GroupChat, HookEvent, Subscription, new_secret
from hooks.outbox import queue_chat_message

MOST_SUBSCRIPTIONS = 10


def _checked_url(url: str) -> str:
    url = (url or "").strip()
    try:
        check_address(url)
    except SendFailed as refusal:
        raise DomainError(str(refusal)) from None
    return url


def subscribe(*, actor: User, team: Team, url: str, events: list[str]) -> Subscription:
    """Add a webhook to the team for `events`; its signing secret is made here and shown to the manager."""
    require_manager_of(actor, team.pk)
    url = _checked_url(url)
    events = sorted(set(events))
    if not events:
        raise DomainError(_("Choose at least one event."))
    unknown = set(events) - set(HookEvent.values)
    if unknown:
        raise DomainError(_("Unknown events: %(events)s") % {"events": ", ".join(sorted(unknown))})
    with transaction.atomic():
        if Subscription.objects.select_for_update().filter(team=team).count() >= MOST_SUBSCRIPTIONS:
            raise DomainError(_("A team has at most %(count)s webhooks.") % {"count": MOST_SUBSCRIPTIONS})
        return Subscription.objects.create(team=team, url=url, events=events, created_by=actor)


def remove_subscription(*, actor: User, subscription: Subscription) -> None:
    require_manager_of(actor, subscription.team_id)
    subscription.delete()


def resume_subscription(*, actor: User, subscription: Subscription) -> Subscription:
    """Unpause a webhook: its waiting messages are sent at the next run, the oldest first."""
    require_manager_of(actor, subscription.team_id)
    with transaction.atomic():
        Subscription.objects.filter(pk=subscription.pk).update(paused_at=None, failures_in_row=0)
        Delivery.objects.filter(subscription=subscription, status=DeliveryStatus.PENDING).update(
            next_attempt_at=timezone.now()
        )
    subscription.refresh_from_db()
    return subscription


def renew_secret(*, actor: User, subscription: Subscription) -> Subscription:
    require_manager_of(actor, subscription.team_id)
    subscription.secret = new_secret()
    subscription.save(update_fields=["secret"])
    return subscription


def retry_delivery(*, actor: User, delivery: Delivery) -> Delivery:
    """Send a message again at the next run, whether it is waiting or was given up (never one delivered)."""
    require_manager_of(actor, delivery.team_id)
    if delivery.status == DeliveryStatus.DELIVERED:
        raise DomainError(_("This message was delivered; it is not sent twice."))
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.PENDING, next_attempt_at=timezone.now())
    if delivery.subscription_id:
        Subscription.objects.filter(pk=delivery.subscription_id).update(paused_at=None, failures_in_row=0)
    delivery.refresh_from_db()
    return delivery


def set_group_chat(
    *, actor: User, team: Team, purpose: str, platform: str, url: str, secret: str = "", summary_time=None
) -> GroupChat:
    """Set (or replace) the team's group-chat bot for `purpose`."""
    require_manager_of(actor, team.pk)
    url = _checked_url(url)
    if purpose != ChatPurpose.MANAGERS:
        summary_time = None
    chat, _created = GroupChat.objects.update_or_create(
        team=team,
        purpose=purpose,
        defaults={"platform": platform, "url": url, "secret": secret.strip(), "summary_time": summary_time},
    )
    return chat


def remove_group_chat(*, actor: User, chat: GroupChat) -> None:
    require_manager_of(actor, chat.team_id)
    chat.delete()


def send_test_message(*, actor: User, chat: GroupChat) -> Delivery:
    """Queue a short message to check that the bot is set up right."""
    require_manager_of(actor, chat.team_id)
    with transaction.atomic():
        return queue_chat_message(
            chat, lambda: (_("Test message"), [_("The CRM can post to this group (%(team)s).") % {"team": chat.team}])
        )
