"""Telling people: a notification is stored for the app and, once its transaction commits, mailed if mail is set up.

The mailing task lives here with the act that queues it, so the queueing needs no import back from a tasks module.
"""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from core.models import Notification, User


def notify(notifications: list[Notification]) -> list[Notification]:
    """Store notifications and, once the transaction commits, mail them when mail is set up."""
    created = Notification.objects.bulk_create(notifications)
    if created and settings.EMAIL_ENABLED:
        ids = [notification.pk for notification in created]
        transaction.on_commit(lambda: mail_notifications_task.delay(ids))
    return created


def company_list(names: list[str], limit: int = 5) -> str:
    """Return the first few company names for a message, and how many more there are."""
    listed = "、".join(names[:limit])
    return listed + (f" … (+{len(names) - limit})" if len(names) > limit else "")


def mail_notifications(*, notification_ids: list[int]) -> int:
    """Mail each notification to its user, if they have an address; return how many were sent."""
    sent = 0
    for notification in Notification.objects.filter(pk__in=notification_ids).select_related("user"):
        if notification.user.email:
            sent += send_mail(
                subject=f"[CRM] {notification.get_kind_display()}",
                message=notification.message,
                from_email=None,
                recipient_list=[notification.user.email],
                fail_silently=True,
            )
    return sent


def mark_notifications_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


@shared_task
def mail_notifications_task(notification_ids):
    mail_notifications(notification_ids=notification_ids)
