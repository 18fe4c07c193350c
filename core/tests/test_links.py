import pytest
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from core.links import path_to


@pytest.mark.parametrize(
    ("name", "ids"),
    [("home", ()), ("notifications", ()), ("leads:detail", (7,)), ("visits:detail", (123456789,)), ("policy_of", (3,))],
)
def test_a_path_is_what_reverse_gives(name, ids):
    assert path_to(name, *ids) == reverse(name, args=ids)


def test_every_id_gets_its_own_path():
    assert [path_to("leads:detail", pk) for pk in (1, 22, 333)] == ["/leads/1/", "/leads/22/", "/leads/333/"]


def test_a_site_under_a_prefix_gets_prefixed_paths():
    set_script_prefix("/crm/")
    try:
        assert path_to("leads:detail", 5) == "/crm/leads/5/" == reverse("leads:detail", args=[5])
        assert path_to("home") == "/crm/"
    finally:
        clear_script_prefix()
    assert path_to("leads:detail", 5) == "/leads/5/"


def test_an_unknown_page_is_refused_as_reverse_refuses_it():
    with pytest.raises(NoReverseMatch, match="nowhere"):
        path_to("nowhere")
    with pytest.raises(NoReverseMatch, match="'detail' with no arguments"):
        path_to("leads:detail")


def test_a_static_file_has_the_url_static_gives_it_with_the_manifest_of_production(settings, tmp_path):
    from django.core.management import call_command
    from django.templatetags.static import static

    from core.links import asset

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    settings.STATIC_URL = "/assets/"

    for path in ("css/crm.css", "vendor/bootstrap-5.3.9/bootstrap.min.css", "js/offline-queue.js"):
        assert asset(path) == static(path)
        assert asset(path).startswith("/assets/")
        assert asset(path) != f"/assets/{path}"  # hashed for production

    settings.STATIC_URL = "/static/"
    assert asset("css/crm.css") == static("css/crm.css")
    assert asset("css/crm.css").startswith("/static/css/crm.")
