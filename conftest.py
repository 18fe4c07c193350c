"""Fixtures shared by every app's tests, and the rule that CI runs every test: a skip there is a failure."""

import os
import shutil
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import translation

from core.models import Role

# live_server runs Django in a thread next to Playwright's event loop; only the tests need this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
IN_CI = os.environ.get("CI", "").lower() == "true"


def uses_postgresql() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def pytest_collection_modifyitems(config, items):
    reasons = {
        "postgres": None if uses_postgresql() else "needs PostgreSQL (set DATABASE_URL=postgres://...)",
        "redis": None if settings.REDIS_URL else "needs Redis (set REDIS_URL=redis://...)",
        "browser": None if os.path.exists(CHROMIUM) else f"needs Chromium at {CHROMIUM} (apt-get install chromium)",
    }
    for item in items:
        for marker, reason in reasons.items():
            if reason and item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def _site_language_after_each_test():
    """A request's language stays active in the thread after it (the locale middleware activates and never resets
    it): without this, a test that asked in English leaves the next test's messages in English."""
    yield
    translation.deactivate()


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if IN_CI and skipped and exitstatus == 0:
        reporter.write_line(f"CI=true: {skipped} test(s) skipped; every test must run in CI.", red=True, bold=True)
        session.exitstatus = 1


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A rep's phone.
    return {**browser_context_args, "viewport": {"width": 375, "height": 812}, "locale": "zh-CN"}


@pytest.fixture
def daytime(time_machine):
    """For tests that enter visits "now" and expect them on time: the clock at 10:00 of today in the site's zone
    (the teams' default), ticking. Run on the real clock between the day's 23:00 entry cut-off and midnight, every
    such entry would be late (CI runs at any hour)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    time_machine.move_to(datetime.combine(datetime.now(zone).date(), time(10), tzinfo=zone), tick=True)


@pytest.fixture
def team(db):
    from core.tests.factories import TeamFactory

    return TeamFactory(name="杭州一区")


@pytest.fixture
def other_team(db):
    from core.tests.factories import TeamFactory

    return TeamFactory(name="上海二区")


@pytest.fixture
def owner(team):
    """A rep who owns the rows under test."""
    from core.tests.factories import member

    return member(team, Role.REP, username="owner")


@pytest.fixture
def teammate(team):
    """Another rep of the owner's team."""
    from core.tests.factories import member

    return member(team, Role.REP, username="teammate")


@pytest.fixture
def outsider(other_team):
    """A rep of another team."""
    from core.tests.factories import member

    return member(other_team, Role.REP, username="outsider")


@pytest.fixture
def manager(team):
    from core.tests.factories import member

    return member(team, Role.MANAGER, username="manager")


@pytest.fixture
def other_manager(other_team):
    from core.tests.factories import member

    return member(other_team, Role.MANAGER, username="other_manager")


@pytest.fixture
def qc_user(team):
    from core.tests.factories import member

    return member(team, Role.QC, username="qc")


@pytest.fixture
def admin_user(db):
    from core.tests.factories import UserFactory

    return UserFactory(username="admin", is_superuser=True, is_staff=True)


@pytest.fixture
def role_users(owner, manager, qc_user, admin_user):
    """One user of each role, by fixture name, for page-by-role checks."""
    return {"owner": owner, "manager": manager, "qc_user": qc_user, "admin_user": admin_user}


@pytest.fixture
def csp_violations(page):
    """What the browser refused under the Content-Security-Policy while the test ran; a test asserts it stays empty."""
    refused = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return refused
