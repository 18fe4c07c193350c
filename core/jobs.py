"""The run log of the scheduled jobs: each run of a beat task is recorded with its outcome (the admin's jobs page and
/metrics read it); a run log that cannot be written never fails the job itself."""

import logging
from datetime import timedelta
from functools import wraps

from django.db import DatabaseError
from django.utils import timezone

from core.models import JobRun

logger = logging.getLogger("crm.jobs")
KEPT_FOR = timedelta(days=30)


def _record(job: str, started_at, outcome: str, count: int | None, problem: str) -> None:
    try:
        JobRun.objects.create(
            job=job,
            started_at=started_at,
            finished_at=timezone.now(),
            outcome=outcome,
            count=count,
            problem=problem[:255],
        )
    except DatabaseError:
        logger.warning("job run of %s not recorded: the database is out of reach", job)


def recorded(job: str, *, counted=None):
    """Record each run of the decorated task as `job`; `counted(result)` says how many items it handled."""

    def decorator(task):
        @wraps(task)
        def run(*args, **kwargs):
            started_at = timezone.now()
            try:
                result = task(*args, **kwargs)
            except Exception as error:
                _record(job, started_at, JobRun.Outcome.FAILED, None, f"{error.__class__.__name__}: {error}")
                logger.exception("job %s failed", job, extra={"job": job, "outcome": "failed"})
                raise
            handled = counted(result) if counted else (result if isinstance(result, int) else None)
            _record(job, started_at, JobRun.Outcome.OK, handled, "")
            logger.info("job %s done", job, extra={"job": job, "outcome": "ok", "count": handled})
            return result

        return run

    return decorator


def forget_old_runs(*, now=None) -> int:
    """Keep a month of runs: enough to see a pattern, never a table that grows for ever."""
    return JobRun.objects.filter(started_at__lt=(now or timezone.now()) - KEPT_FOR).delete()[0]


def latest_runs() -> list[JobRun]:
    """The last run of every job (one indexed look-up per job name recorded in the last month)."""
    jobs = JobRun.objects.order_by().values_list("job", flat=True).distinct()
    return [JobRun.objects.filter(job=job).order_by("-started_at").first() for job in sorted(jobs)]
