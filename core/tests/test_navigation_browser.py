"""Every role's menu fits and opens from a 360 px phone to a 1920 px screen, in Chinese and in English."""

import re

import pytest
from playwright.sync_api import Page, expect

from core.models import Role
from core.tests.axe import sign_in
from core.tests.factories import PASSWORD, TeamFactory, UserFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (360, 1024, 1366, 1920)
EXPANDED_FROM = 992  # Bootstrap's lg breakpoint: narrower, the menu folds behind the toggler


def make_user(role: str):
    team = TeamFactory(name="杭州一区")
    if role == "admin":
        return UserFactory(username="sysadmin", name="系统管理员", is_superuser=True, is_staff=True)
    return member(team, role, username=f"the_{role}")


def overflow(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def outside_the_screen(page: Page, locator) -> bool:
    box = locator.bounding_box()
    return box is None or box["x"] < 0 or box["x"] + box["width"] > page.viewport_size["width"] + 0.5


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("role", [Role.REP, Role.MANAGER, Role.QC, "admin"])
def test_the_menu_fits_and_every_page_in_it_can_be_reached(live_server, page: Page, role, language):
    user = make_user(role)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    sign_in(page, live_server.url, user.username, PASSWORD)
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{live_server.url}/")
        nav = page.locator("#main-nav")
        if width < EXPANDED_FROM:
            page.locator(".navbar-toggler").click()
            expect(nav).to_have_class(re.compile(r"\bshow\b"))  # unfolded, not still sliding open
        toggles = nav.locator("[data-bs-toggle=dropdown]")
        for index in range(toggles.count()):
            toggles.nth(index).click()
            menu = toggles.nth(index).locator("xpath=following-sibling::ul")
            expect(menu).to_have_class(re.compile(r"\bshow\b"))
            for item in menu.locator(".dropdown-item").all():
                if not item.is_visible() or outside_the_screen(page, item):
                    problems.append(f"{width}px: {item.inner_text()} cannot be reached")
            page.keyboard.press("Escape")
        for link in nav.locator(":scope > ul > li > .nav-link").all():
            if outside_the_screen(page, link):
                problems.append(f"{width}px: {link.inner_text()} is off the screen")
        if overflow(page) > 0:
            problems.append(f"{width}px: the page is {overflow(page)}px wider than the screen")
    assert problems == []
