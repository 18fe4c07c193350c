from celery import shared_task

from pools.services.allocation import allocate_due_teams
from pools.services.reclaim import reclaim_overdue
from pools.services.reminders import send_reminders


@shared_task
def reclaim_task():
    result = reclaim_overdue()
    return {"to_colleagues": result.to_colleagues, "to_pool": result.to_pool}


@shared_task
def remind_task():
    return send_reminders()


@shared_task
def allocate_due_teams_task():
    return sum(len(plan.moves) for plan in allocate_due_teams())
