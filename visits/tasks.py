from celery import shared_task

from core.jobs import recorded
from visits.services import evidence


@shared_task
@recorded("forget-positions")
def forget_old_positions_task():
    return evidence.forget_old_positions()
