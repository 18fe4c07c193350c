from celery import shared_task

from core import metrics
from core.jobs import recorded
from pools.services.allocation import allocate_due_teams
from pools.services.reclaim import reclaim_overdue
from pools.services.reminders import send_reminders


@shared_task
@recorded("reclaim", counted=lambda result: result["to_colleagues"] + result["to_pool"])
def reclaim_task():
    result = reclaim_overdue()
    metrics.count("reclaimed", result.to_colleagues + result.to_pool)
    return {"to_colleagues": result.to_colleagues, "to_pool": result.to_pool}


@shared_task
@recorded("remind")
def remind_task():
    return send_reminders()


@shared_task
@recorded("allocate")
def allocate_due_teams_task():
    return sum(len(plan.moves) for plan in allocate_due_teams())
