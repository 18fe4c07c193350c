from functools import lru_cache

from django.db.models import BigIntegerField
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.links import path_to
from core.models import Notification, Role
from core.statements import Counting, Slot

# Each role's menu: a page, or a group of pages under one heading (a drop-down), so that a manager's dozen pages fit
# from a 360 px phone to a 1920 px screen in either language.
MANAGER_LEADS = (
    _("Leads"),
    [
        ("pools:team", _("Team leads")),
        ("pools:allocation", _("Allocation")),
        ("pools:pool", _("Public pool")),
        ("leads:import", _("Import")),
        ("leads:collisions", _("Collisions")),
    ],
)
MANAGER_REPORTS = (
    _("Reports"),
    [
        ("reports:meeting", _("Evening meeting")),
        ("reports:dashboard", _("Dashboard")),
        ("reports:compliance", _("Compliance")),
        ("deals:pipeline", _("Pipeline")),
        ("qc:report", _("Integrity report")),
        ("qc:coverage", _("QC coverage")),
    ],
)
NAVIGATION = {
    Role.REP: [
        ("home", _("Today")),
        ("visits:log", _("Log a visit")),
        (
            _("Leads"),
            [
                ("pools:mine", _("My leads")),
                ("pools:pool", _("Public pool")),
                ("leads:create", _("New lead")),
                ("deals:pipeline", _("Pipeline")),
            ],
        ),
        (_("Visits"), [("visits:plan", _("Plan")), ("visits:list", _("My visits"))]),
    ],
    Role.MANAGER: [
        ("home", _("My teams")),
        MANAGER_LEADS,
        MANAGER_REPORTS,
        (_("Settings"), [("policy", _("Rules")), ("hooks:integrations", _("Integrations"))]),
    ],
    Role.QC: [
        ("qc:queue", _("Audit queue")),
        ("qc:draws", _("Draws")),
        ("qc:report", _("Integrity report")),
        ("qc:coverage", _("QC coverage")),
        ("qc:incidents", _("Incidents")),
    ],
    Role.ADMIN: [
        ("home", _("Overview")),
        MANAGER_LEADS,
        MANAGER_REPORTS,
        (
            _("Settings"),
            [
                ("policy", _("Rules")),
                ("hooks:integrations", _("Integrations")),
                ("job_runs", _("Scheduled jobs")),
                ("admin:index", _("Administration")),
            ],
        ),
    ],
}


def _menu_item(entry, current: str | None) -> dict:
    first, second = entry
    if isinstance(second, list):
        children = [_menu_item(child, current) for child in second]
        return {"label": first, "children": children, "active": any(child["active"] for child in children)}
    url = path_to(first)
    return {"url": url, "label": second, "active": current == url}


def _paths_in(entries) -> set[str]:
    paths = set()
    for first, second in entries:
        paths |= _paths_in(second) if isinstance(second, list) else {path_to(first)}
    return paths


# The badge of every page, so compiled once per process as the session and the user are (core.statements).
_UNREAD_COUNT = Counting(
    lambda: Notification.objects.filter(user_id=Slot("user", BigIntegerField()), read_at__isnull=True), by="user_id"
)


@lru_cache(maxsize=64)
def _menu_paths(role: str | None, prefix: str) -> frozenset[str]:
    return frozenset(_paths_in(NAVIGATION.get(role, [])))


@lru_cache(maxsize=512)
def _menu(role: str | None, current: str | None, language: str, prefix: str) -> tuple[list[dict], str]:
    """A role's menu with the page `current` marked, and its markup. It is the same for every user of the role, so it
    is written once per process for each page of the menu (every other page shares one), not on every request."""
    items = [_menu_item(entry, current) for entry in NAVIGATION.get(role, [])]
    return items, render_to_string("includes/_menu.html", {"navigation": items})


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    prefix = get_script_prefix()
    current = request.path if request.path in _menu_paths(user.role, prefix) else None
    items, markup = _menu(user.role, current, get_language(), prefix)
    unread = _UNREAD_COUNT.count(user=user.pk)
    return {"navigation": items, "navigation_markup": markup, "unread_notifications": unread}
