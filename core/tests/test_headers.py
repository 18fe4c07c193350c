from django.urls import reverse


def test_every_page_forbids_inline_and_foreign_scripts(client, owner):
    client.force_login(owner)

    policy = client.get(reverse("home"))["Content-Security-Policy"]

    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in policy
    assert directives["frame-ancestors"] == "'none'"


def test_only_the_visit_form_may_ask_for_the_position(client, owner):
    client.force_login(owner)

    assert "geolocation=(self)" in client.get(reverse("visits:log"))["Permissions-Policy"]
    for page in (reverse("home"), reverse("pools:mine"), reverse("pools:pool")):
        features = client.get(page)["Permissions-Policy"]
        assert "geolocation=()" in features
        assert "camera=()" in features
