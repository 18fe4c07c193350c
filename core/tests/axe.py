"""axe-core in the browser tests: the accessibility rules a page must pass, run on the page as the user sees it.

axe-core is vendored here, beside the tests, not in static/: it checks the product and is never served by it."""

from pathlib import Path

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-core-4.11.1" / "axe.min.js").read_text(encoding="utf-8")
BLOCKING_IMPACTS = ("serious", "critical")


def blocking_violations(page) -> list[str]:
    """Run axe on the page (WCAG 2.1 A and AA) and return its serious and critical findings, one line each."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)  # evaluated by the test driver, so the page's Content-Security-Policy allows it
    results = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        f"{violation['id']} ({violation['impact']}): {node['target']} {node.get('failureSummary', '')[:200]}"
        for violation in results["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
        for node in violation["nodes"]
    ]


def page_problems(page) -> list[str]:
    """What axe finds on the page, and how far it is wider than the screen, if it is."""
    problems = blocking_violations(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        problems.append(f"{overflow}px wider than the screen")
    return problems


def sign_in(page, live_server_url: str, username: str, password: str) -> None:
    page.goto(f"{live_server_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form[method=post] button[type=submit].w-100")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
