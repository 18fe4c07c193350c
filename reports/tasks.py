from celery import shared_task

from reports.summaries import post_due_summaries


@shared_task
def post_due_summaries_task():
    return len(post_due_summaries())
