"""The frame around every page: the menu bar (each role's menu, the unread badge, who is signed in) and the language
switch. It is the same for every user of a role on a page of the menu in a language, but for a few holes: who is
signed in, their unread count, the CSRF token and the page to come back to after switching language. So it is written
once per process for each role, page and language, and only the holes are filled on each request: rendering it with
Django's template nodes cost ~0.8 ms a page, three pages to each visit a rep enters."""

from functools import lru_cache

from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.links import path_to
from core.models import Role
from core.stencils import stencil

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


@lru_cache(maxsize=64)
def _menu_paths(role: str | None, prefix: str) -> frozenset[str]:
    return frozenset(_paths_in(NAVIGATION.get(role, [])))


@lru_cache(maxsize=512)
def _menu(role: str | None, current: str | None, language: str, prefix: str) -> tuple[list[dict], str]:
    """A role's menu with the page `current` marked, and its markup. It is the same for every user of the role, so it
    is written once per process for each page of the menu (every other page shares one), not on every request."""
    items = [_menu_item(entry, current) for entry in NAVIGATION.get(role, [])]
    return items, render_to_string("includes/_menu.html", {"navigation": items})


def menu_for(role: str | None, path: str) -> tuple[list[dict], str | None]:
    """The role's menu with `path` marked when it is one of its pages, and the page marked (None for any other)."""
    prefix = get_script_prefix()
    current = path if path in _menu_paths(role, prefix) else None
    return _menu(role, current, get_language(), prefix)[0], current


def frame(request, *, csrf_token: str, current: str | None = None, unread: int = 0) -> SafeString:
    """The frame for this request's user: the shared markup with the user's own values in its holes. `csrf_token` is
    the page's own (its forms' `{% csrf_token %}`): each new one costs ~75 us of Django's masking."""
    user = request.user
    signed_in = user.is_authenticated
    role = user.role if signed_in else None
    frame_stencil = stencil(
        "includes/_frame.html",
        ("who", "unread_badge", "csrf_token", "back_to"),
        signed_in=signed_in,
        role_label=str(Role(role).label) if role else "",
        navigation_markup=_menu(role, current, get_language(), get_script_prefix())[1] if signed_in else "",
    )
    return frame_stencil.fill(
        who=str(user) if signed_in else "",
        unread_badge=format_html(' <span class="badge text-bg-warning">{}</span>', unread) if unread else "",
        csrf_token=csrf_token,
        back_to=request.get_full_path(),
    )
