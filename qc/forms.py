from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import QuickSelect
from core.params import DayField
from qc.models import AuditOutcome


class AuditForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("What the customer said"), choices=AuditOutcome.choices, widget=forms.RadioSelect
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for a mismatch or a falsified visit."),
    )
    confirm_falsified = forms.BooleanField(
        label=_("Falsified is for good: the visit is voided and stays on the rep's integrity record."),
        required=False,
        help_text=_("Tick to confirm when you record a falsified visit."),
    )


class DrawForm(forms.Form):
    # A QC lead audits every team: a hundred options, written in Python rather than a template each (core.forms).
    team = forms.ModelChoiceField(label=_("Team"), queryset=None, widget=QuickSelect)
    day = DayField(label=_("Day of the visits"))

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        if len(teams) == 1:
            self.fields["team"].initial = teams.first()


class PeriodForm(forms.Form):
    start = DayField(label=_("From"))
    end = DayField(label=_("To"))
