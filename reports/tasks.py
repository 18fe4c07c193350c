from celery import shared_task

from core.jobs import recorded
from reports.summaries import post_due_summaries


@shared_task
@recorded("group-summaries")
def post_due_summaries_task():
    return len(post_due_summaries())
