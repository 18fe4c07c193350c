from celery import shared_task

from visits.services import evidence


@shared_task
def forget_old_positions_task():
    return evidence.forget_old_positions()
