"""Quick forms write some widgets in Python: what a browser reads from them is what Django's own widgets give."""

from html.parser import HTMLParser

from django import forms
from django.forms.renderers import DjangoTemplates
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from core.forms import QuickSelect
from leads.tests.factories import owned_lead
from visits.forms import VisitForm


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
options = st.tuples(values, labels)
groups = st.tuples(labels.filter(bool), st.lists(options, max_size=4))


@settings(max_examples=300, deadline=None)
@given(
    choices=st.lists(st.one_of(options, groups), max_size=8),
    chosen=st.one_of(values, st.lists(values, max_size=2)),
    required=st.booleans(),
    extra=st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=4)),
)
def test_a_quick_select_reads_as_djangos_select_for_any_choices_and_value(choices, chosen, required, extra):
    attrs = {"id": "id_lead", "required": required, "aria-describedby": 'id_lead_error "x"', "data-x": extra}
    django_markup = forms.Select(attrs={"class": "form-select"}, choices=choices).render(
        "lead", chosen, attrs, renderer=DjangoTemplates()
    )
    quick_markup = QuickSelect(attrs={"class": "form-select"}, choices=choices).render("lead", chosen, attrs)

    assert _Reading(quick_markup).events == _Reading(django_markup).events


def test_the_visit_form_shows_the_lead_the_rep_came_from_chosen_in_its_group(client, owner, team):
    lead = owned_lead(team, owner, company_name="杭州<星河>科技")
    client.force_login(owner)

    page = client.get(reverse("visits:log"), {"lead": lead.pk}).content.decode()

    select = page[page.index('<select name="lead"') : page.index("</select>", page.index('<select name="lead"')) + 9]
    events = _Reading(select).events
    assert ("start", "option", (("value", str(lead.pk)), ("selected", None))) in events
    group = next(event for event in events if event[:2] == ("start", "optgroup"))
    assert events.index(group) < events.index(("text", "杭州<星河>科技"))
    assert sum(1 for event in events if event[:2] == ("start", "option") and ("selected", None) in event[2]) == 1


def test_each_visit_form_has_its_own_lead_choices_while_the_fixed_fields_are_shared():
    first = VisitForm(lead_choices=[(1, "星河科技")])
    second = VisitForm(lead_choices=[(2, "西湖贸易")])
    second.show_leads([(3, "钱塘物流")])  # as the form's view sets them after building it

    assert "星河科技" in str(first["lead"])
    assert "钱塘物流" not in str(first["lead"])
    assert "钱塘物流" in str(second["lead"])
    assert "星河科技" not in str(second["lead"])
    assert first.fields["person_role"] is second.fields["person_role"]
    assert VisitForm(lead_choices=[]).fields["lead"].choices == [("", "—")]
