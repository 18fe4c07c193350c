from celery import shared_task

from crm import services


@shared_task
def heartbeat_task():
    services.record_heartbeat(name="beat")
