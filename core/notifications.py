"""Telling people: a notification is stored for the app and, when mail is set up, mailed by the worker.

The mail is an outbox: each notification to be mailed is marked so in the transaction that creates it. After the
commit the worker is asked to send it at once; if the broker is down the request still succeeds, and the minute job
sends whatever is still due once it is back. Nothing is lost and nothing is mailed twice.
"""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from core.jobs import recorded
from core.models import Notification, User

MAIL_BATCH = 500


def notify(notifications: list[Notification]) -> list[Notification]:
    """Store notifications and, once the transaction commits, have them mailed when mail is set up."""
    if settings.EMAIL_ENABLED:
        for notification in notifications:
            notification.is_mail_due = True
    created = Notification.objects.bulk_create(notifications)
    if created and settings.EMAIL_ENABLED:
        ids = [notification.pk for notification in created]
        # robust: a broker that is down must not fail a request whose data is saved; the outbox keeps the mail.
        transaction.on_commit(lambda: mail_notifications_task.delay(ids), robust=True)
    return created


def company_list(names: list[str], limit: int = 5) -> str:
    """Return the first few company names for a message, and how many more there are."""
    listed = "、".join(names[:limit])
    return listed + (f" … (+{len(names) - limit})" if len(names) > limit else "")


def mail_notifications(*, notification_ids: list[int] | None = None, batch_size: int = MAIL_BATCH) -> int:
    """Mail notifications still due (those of `notification_ids`, or the oldest due); return how many were sent.

    Rows are claimed with SKIP LOCKED, so two workers never mail the same one.
    """
    due = Notification.objects.filter(is_mail_due=True)
    if notification_ids is not None:
        due = due.filter(pk__in=notification_ids)
    sent = 0
    while True:
        with transaction.atomic():
            batch = list(
                due.select_for_update(skip_locked=True, of=("self",))
                .select_related("user")
                .order_by("created_at")[:batch_size]
            )
            for notification in batch:
                if notification.user.email:
                    sent += send_mail(
                        subject=f"[CRM] {notification.get_kind_display()}",
                        message=notification.message,
                        from_email=None,
                        recipient_list=[notification.user.email],
                        fail_silently=True,
                    )
            Notification.objects.filter(pk__in=[notification.pk for notification in batch]).update(
                is_mail_due=False, mailed_at=timezone.now()
            )
        if len(batch) < batch_size:
            return sent


def mark_notifications_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


@shared_task
def mail_notifications_task(notification_ids):
    mail_notifications(notification_ids=notification_ids)


@shared_task
@recorded("mail")
def mail_due_notifications_task():
    """The minute job: mail what is still due (after a broker outage, say)."""
    return mail_notifications()
