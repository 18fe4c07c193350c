from celery import shared_task

from core import services

# Registered with the worker through this module; it sits beside the act that queues it.
from core.notifications import mail_due_notifications_task, mail_notifications_task  # noqa: F401


@shared_task
def heartbeat_task():
    services.record_heartbeat(name="beat")
