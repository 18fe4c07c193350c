from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ButtonRadioSelect, QuickForm, ReadyChoices
from visits.models import Outcome, PersonRole, VisitMode
from visits.when import When

KIND_LEAD, KIND_COLD = "lead", "cold"
NOTES_LENGTH = 2000  # a long evening's account of a visit; more is a paste, not a note


class VisitForm(QuickForm):
    kind = forms.ChoiceField(
        label=_("Visit to"),
        choices=[(KIND_LEAD, _("One of my leads")), (KIND_COLD, _("Cold visit (new company)"))],
        initial=KIND_LEAD,
        widget=forms.RadioSelect,
    )
    lead = forms.TypedChoiceField(label=_("Lead"), coerce=int, required=False, empty_value=None)
    company_name = forms.CharField(label=_("Company"), max_length=200, required=False)
    contact_name = forms.CharField(label=_("Contact"), max_length=100, required=False)
    phone = forms.CharField(
        label=_("Phone"), max_length=50, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    building = forms.CharField(label=_("Building"), max_length=100, required=False)
    district = forms.CharField(label=_("District"), max_length=50, required=False)
    mode = forms.ChoiceField(
        label=_("Mode"), choices=VisitMode.choices, initial=VisitMode.IN_PERSON, widget=forms.RadioSelect
    )
    person_met = forms.CharField(label=_("Person met"), max_length=100, required=False)
    person_role = forms.ChoiceField(label=_("Their role"), choices=PersonRole.choices, initial=PersonRole.MANAGER)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Outcome.choices, initial=Outcome.POTENTIAL, widget=forms.RadioSelect
    )
    next_step = forms.CharField(label=_("Next step"), max_length=255, required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=NOTES_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )
    when = forms.ChoiceField(
        label=_("When"),
        choices=When.choices,
        initial=When.NOW,
        required=False,
        widget=ButtonRadioSelect(label_class="btn btn-outline-secondary btn-sm"),
    )
    at_time = forms.TimeField(
        label=_("Time"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    occurred_at = forms.DateTimeField(
        label=_("Day and time"),
        required=False,
        help_text=_("Up to a week back; after the day's cut-off the visit is marked late."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    # Filled by the form's script with the phone's clock when the entry is sent.
    device_time = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    # Set by the offline queue: the phone's id for the entry and when it was saved there.
    client_id = forms.UUIDField(required=False, widget=forms.HiddenInput)
    saved_at = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    latitude = forms.DecimalField(required=False, widget=forms.HiddenInput)
    longitude = forms.DecimalField(required=False, widget=forms.HiddenInput)
    accuracy = forms.FloatField(required=False, widget=forms.HiddenInput)

    # Every field but the lead, whose choices are the rep's own leads.
    markup_alike_for_all = (
        "kind",
        "company_name",
        "contact_name",
        "phone",
        "building",
        "district",
        "mode",
        "person_met",
        "person_role",
        "outcome",
        "next_step",
        "notes",
        "when",
        "at_time",
        "occurred_at",
        "device_time",
        "client_id",
        "saved_at",
        "latitude",
        "longitude",
        "accuracy",
    )

    def __init__(self, *args, lead_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.show_leads(lead_choices)

    def show_leads(self, lead_choices: list) -> None:
        """The rep's leads (grouped or not) as the lead field's choices, after an empty one."""
        self.fields["lead"].choices = ReadyChoices([("", "—"), *lead_choices])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == KIND_LEAD and not cleaned.get("lead"):
            self.add_error("lead", _("Choose the lead you visited."))
        if cleaned.get("kind") == KIND_COLD and not (cleaned.get("company_name") or "").strip():
            self.add_error("company_name", _("Enter the company you visited."))
        return cleaned


class EditVisitForm(forms.Form):
    mode = forms.ChoiceField(label=_("Mode"), choices=VisitMode.choices, widget=forms.RadioSelect)
    person_met = forms.CharField(label=_("Person met"), max_length=100, required=False)
    person_role = forms.ChoiceField(label=_("Their role"), choices=PersonRole.choices)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect)
    next_step = forms.CharField(label=_("Next step"), max_length=255, required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=NOTES_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )
    building = forms.CharField(label=_("Building"), max_length=100, required=False)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    reason = forms.CharField(
        label=_("Why the change"),
        max_length=255,
        required=False,
        help_text=_("Required once the day's entry has closed."),
    )


class DailyNoteForm(QuickForm):
    """On every Today: blank (and so shared markup) until the rep writes the day's note, then showing it."""

    win = forms.CharField(label=_("Win of the day"), max_length=300, required=False)
    difficulty = forms.CharField(label=_("Difficulty of the day"), max_length=300, required=False)

    markup_alike_for_all = ("win", "difficulty")


class PlanForm(forms.Form):
    lead = forms.TypedMultipleChoiceField(label=_("Leads"), coerce=int, required=False)
    purpose = forms.CharField(
        label=_("Purpose"), max_length=200, required=False, help_text=_("Applies to every lead you tick.")
    )

    def __init__(self, *args, lead_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].choices = [(pk, pk) for pk in lead_ids]
