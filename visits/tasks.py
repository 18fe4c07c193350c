from celery import shared_task

from visits import services


@shared_task
def forget_old_positions_task():
    return services.forget_old_positions()
