"""Paging through long lists: an exact count where it is cheap, PostgreSQL's own estimate where it is not.

Counting a 200,000-lead pool on every page view costs more than the page; "about 200,000" serves the reader as
well. Up to `EXACT_UP_TO` rows the count is exact (a capped count reads no more than that).
"""

import json

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

EXACT_UP_TO = 10_000


class EstimatingPaginator(Paginator):
    is_estimate = False

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        exact = queryset.order_by()[: EXACT_UP_TO + 1].count()
        if exact <= EXACT_UP_TO or connections[queryset.db].vendor != "postgresql":
            return exact if exact <= EXACT_UP_TO else queryset.count()
        self.is_estimate = True
        estimate = max(_planner_rows(queryset), EXACT_UP_TO + 1)
        return int(float(f"{estimate:.2g}"))  # two significant figures: an estimate says "about"


def _planner_rows(queryset) -> int:
    """Return how many rows PostgreSQL's planner expects `queryset` to give (it reads no row to say so)."""
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


def page_of(request, queryset, per_page: int):
    """Return the page of `queryset` that ?page= asks for (the first for anything unreadable, the last if too far)."""
    return EstimatingPaginator(queryset, per_page).get_page(request.GET.get("page"))
