from celery import shared_task

from qc import services


@shared_task
def draw_due_teams_task():
    return [draw.pk for draw in services.draw_due_teams()]
