from celery import shared_task

from core import services
from core.jobs import forget_old_runs, recorded

# Registered with the worker through this module; it sits beside the act that queues it.
from core.notifications import mail_due_notifications_task, mail_notifications_task  # noqa: F401


@shared_task
@recorded("heartbeat")
def heartbeat_task():
    services.record_heartbeat(name="beat")
    return forget_old_runs()
