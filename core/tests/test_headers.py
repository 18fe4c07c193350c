from django.urls import reverse


def test_every_page_forbids_inline_and_foreign_scripts(client, owner):
    client.force_login(owner)

    policy = client.get(reverse("home"))["Content-Security-Policy"]

    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in policy
    assert directives["frame-ancestors"] == "'none'"


def test_only_the_pages_that_check_in_or_log_a_visit_may_ask_for_the_position(client, owner):
    from leads.tests.factories import owned_lead

    lead = owned_lead(owner.memberships.get().team, owner)
    client.force_login(owner)

    for page in (reverse("visits:log"), reverse("home"), reverse("leads:detail", args=[lead.pk])):
        assert "geolocation=(self)" in client.get(page)["Permissions-Policy"]
    for page in (reverse("pools:mine"), reverse("pools:pool"), reverse("visits:plan")):
        features = client.get(page)["Permissions-Policy"]
        assert "geolocation=()" in features
        assert "camera=()" in features
