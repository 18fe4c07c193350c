"""Quick forms write some widgets in Python: what a browser reads from them is what Django's own widgets give."""

from html.parser import HTMLParser

from django import forms
from django.forms.renderers import DjangoTemplates
from hypothesis import given, settings
from hypothesis import strategies as st

from core.forms import QuickSelect


class _Reading(HTMLParser):
    """What a browser takes from markup: the tags with their attributes, and the text, whitespace aside."""

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.events = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.events.append(("start", tag, tuple(attrs)))

    def handle_endtag(self, tag):
        self.events.append(("end", tag))

    def handle_data(self, data):
        if data.strip():
            self.events.append(("text", data))


values = st.one_of(st.none(), st.integers(-5, 5), st.text(max_size=6))
labels = st.text(max_size=12).filter(lambda label: label.strip() == label)


@settings(max_examples=200, deadline=None)
@given(
    choices=st.lists(st.tuples(values, labels), max_size=8),
    chosen=st.one_of(values, st.lists(values, max_size=2)),
    required=st.booleans(),
)
def test_a_quick_select_reads_as_djangos_select_for_any_choices_and_value(choices, chosen, required):
    attrs = {"id": "id_lead", "required": required, "aria-describedby": 'id_lead_error "x"'}
    django_markup = forms.Select(attrs={"class": "form-select"}, choices=choices).render(
        "lead", chosen, attrs, renderer=DjangoTemplates()
    )
    quick_markup = QuickSelect(attrs={"class": "form-select"}, choices=choices).render("lead", chosen, attrs)

    assert _Reading(quick_markup).events == _Reading(django_markup).events


def test_a_select_with_option_groups_is_left_to_django():
    choices = [("", "—"), ("杭州", [(1, "星河科技"), (2, "西湖<贸易>")])]
    markup = QuickSelect(choices=choices).render("lead", 2, {"id": "id_lead"})

    assert '<optgroup label="杭州">' in markup
    assert '<option value="2" selected>西湖&lt;贸易&gt;</option>' in markup
