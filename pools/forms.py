from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import QuickForm
from core.params import DayField
from leads.models import Lead, LeadState


class PoolFilterForm(forms.Form):
    q = forms.CharField(label=_("Company"), required=False, max_length=100)
    area = forms.CharField(label=_("Area"), required=False, max_length=50, help_text=_("City, district or building"))
    industry = forms.CharField(label=_("Industry"), required=False, max_length=50)


class MyLeadsFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("", _("All my leads")), (LeadState.ASSIGNED, _("Assigned")), (LeadState.PRIVATE, _("Private pool"))],
    )
    q = forms.CharField(label=_("Company or phone"), required=False, max_length=100)


class ReturnForm(QuickForm):
    markup_alike_for_all = ("reason",)
    reason = forms.CharField(label=_("Why are you returning it?"), max_length=255)


class KeepForm(forms.Form):
    give_back = forms.ModelChoiceField(
        label=_("Give back to the public pool"),
        queryset=Lead.objects.none(),
        required=False,
        widget=forms.RadioSelect,
        empty_label=None,
    )

    def __init__(self, *args, private_leads, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["give_back"].queryset = private_leads


class TeamFilterForm(forms.Form):
    q = forms.CharField(label=_("Company or phone"), required=False, max_length=100)
    state = forms.ChoiceField(label=_("State"), required=False)
    owner = forms.ModelChoiceField(label=_("Owner"), required=False, queryset=None)
    reclaimed_on = DayField(label=_("Reclaimed on"), required=False)
    due_within_hours = forms.TypedChoiceField(
        label=_("Due soon"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), (24, _("within 24 hours")), (72, _("within 3 days"))],
    )

    def __init__(self, *args, reps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("All states")), *LeadState.choices]
        self.fields["owner"].queryset = reps


class AssignForm(forms.Form):
    rep = forms.ModelChoiceField(label=_("Assign to"), queryset=None)
    leads = forms.ModelMultipleChoiceField(queryset=None, widget=forms.MultipleHiddenInput)
    reason = forms.CharField(
        label=_("Why"),
        required=False,
        max_length=255,
        help_text=_("Needed when the leads are taken from another rep; kept on each lead's history."),
    )

    def __init__(self, *args, reps, leads, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = reps
        self.fields["leads"].queryset = leads
