from celery import shared_task

from core.jobs import recorded
from qc import services


@shared_task
@recorded("qc-draw", counted=len)
def draw_due_teams_task():
    return [draw.pk for draw in services.draw_due_teams()]
