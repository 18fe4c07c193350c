"""Views of the installation as a whole (not of one app): the Prometheus metrics."""

import hmac

from django.conf import settings
from django.db.models import Count, Max
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache

from core.health import heartbeat_age
from core.models import JobRun
from hooks.models import Delivery, DeliveryStatus


@never_cache
def metrics(request):
    """Prometheus text format, for a scraper holding METRICS_TOKEN; without the setting the page does not exist."""
    from core.metrics import exposition

    expected = settings.METRICS_TOKEN
    if not expected:
        raise Http404
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), expected.encode()):
        return HttpResponse("metrics need the bearer token\n", status=401, content_type="text/plain")
    runs = [
        {"job": row["job"], "outcome": row["outcome"], "runs": row["runs"], "last": row["last"].timestamp()}
        for row in JobRun.objects.order_by()
        .values("job", "outcome")
        .annotate(runs=Count("pk"), last=Max("finished_at"))
        .order_by("job", "outcome")
    ]
    age = heartbeat_age()
    body = exposition(
        job_runs=runs,
        pending_messages=Delivery.objects.filter(status=DeliveryStatus.PENDING).count(),
        heartbeat_seconds=None if age is None else round(age.total_seconds()),
    )
    return HttpResponse(body, content_type="text/plain; version=0.0.4; charset=utf-8")
