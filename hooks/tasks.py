from celery import shared_task

from core.jobs import recorded
from hooks.delivery import deliver_due


@shared_task
@recorded("deliver-hooks")
def deliver_due_task():
    return deliver_due()
