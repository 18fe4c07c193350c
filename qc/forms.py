from django import forms
from django.utils.translation import gettext_lazy as _

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


class DrawForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=None)
    day = forms.DateField(label=_("Day of the visits"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        if len(teams) == 1:
            self.fields["team"].initial = teams.first()


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
