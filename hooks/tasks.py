from celery import shared_task

from hooks.delivery import deliver_due


@shared_task
def deliver_due_task():
    return deliver_due()
