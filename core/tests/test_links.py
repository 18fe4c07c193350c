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
