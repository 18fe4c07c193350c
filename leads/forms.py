from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from leads.models import STAGE_PATH, CloseReason, Lead, LeadState, PaymentMethod, Stage


class LeadForm(forms.ModelForm):
    class Meta:
        model = Lead
        fields = [
            "company_name",
            "contact_name",
            "contact_role",
            "phone",
            "second_phone",
            "city",
            "district",
            "building",
            "address",
            "industry",
            "priority",
        ]
        widgets = {
            "phone": forms.TextInput(attrs={"inputmode": "tel"}),
            "second_phone": forms.TextInput(attrs={"inputmode": "tel"}),
        }


class PoolFilterForm(forms.Form):
    q = forms.CharField(label=_("Company"), required=False, max_length=100)
    area = forms.CharField(label=_("Area"), required=False, max_length=50, help_text=_("City, district or building"))
    industry = forms.CharField(label=_("Industry"), required=False, max_length=50)


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Why are you returning it?"), max_length=255)


class CloseForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=CloseReason.choices)
    note = forms.CharField(label=_("Details"), required=False, max_length=200, help_text=_("Required for “Other”."))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == CloseReason.OTHER and not cleaned.get("note", "").strip():
            self.add_error("note", _("Say why the lead is closed."))
        return cleaned


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
    state = forms.ChoiceField(label=_("State"), required=False)
    owner = forms.ModelChoiceField(label=_("Owner"), required=False, queryset=None)
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
    reason = forms.CharField(label=_("Note"), required=False, max_length=255)

    def __init__(self, *args, reps, leads, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = reps
        self.fields["leads"].queryset = leads


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"), help_text=_("UTF-8 or GBK, as Excel saves it; the first row names the columns.")
    )
    team = forms.ModelChoiceField(label=_("Into the public pool of"), queryset=None)

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        if len(teams) == 1:
            self.fields["team"].initial = teams.first()


class NeedForm(forms.Form):
    need = forms.CharField(label=_("Confirmed need"), widget=forms.Textarea(attrs={"rows": 2}))


class ProposalForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount (CNY)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    file = forms.FileField(label=_("Proposal file"), required=False)


class ContractForm(forms.Form):
    number = forms.CharField(label=_("Contract number"), max_length=50)
    amount = forms.DecimalField(label=_("Amount (CNY)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    signed_on = forms.DateField(label=_("Signed on"), widget=forms.DateInput(attrs={"type": "date"}))
    term_months = forms.IntegerField(label=_("Term (months)"), min_value=1, max_value=120, initial=12)


class PaymentForm(forms.Form):
    contract = forms.ModelChoiceField(label=_("Contract"), queryset=None)
    amount = forms.DecimalField(label=_("Amount (CNY)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    received_on = forms.DateField(label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"}))
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices)

    def __init__(self, *args, contracts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = contracts
        if len(contracts) == 1:
            self.fields["contract"].initial = contracts.first()


class StageBackForm(forms.Form):
    to_stage = forms.ChoiceField(label=_("Back to"), choices=[(stage, Stage(stage).label) for stage in STAGE_PATH[:-2]])
    reason = forms.CharField(label=_("Why"), max_length=200)
