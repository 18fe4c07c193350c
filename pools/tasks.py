from celery import shared_task

from pools import services


@shared_task
def reclaim_task():
    result = services.reclaim_overdue()
    return {"to_colleagues": result.to_colleagues, "to_pool": result.to_pool}


@shared_task
def remind_task():
    return services.send_reminders()


@shared_task
def allocate_due_teams_task():
    return sum(len(plan.moves) for plan in services.allocate_due_teams())
