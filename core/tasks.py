from celery import shared_task

from core import services


@shared_task
def heartbeat_task():
    services.record_heartbeat(name="beat")


@shared_task
def mail_notifications_task(notification_ids):
    services.mail_notifications(notification_ids=notification_ids)
