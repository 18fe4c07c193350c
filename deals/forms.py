from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.params import DayField
from deals.models import PaymentMethod
from leads.models import STAGE_PATH, Stage


class NeedForm(forms.Form):
    need = forms.CharField(label=_("Confirmed need"), widget=forms.Textarea(attrs={"rows": 2}))


class ProposalForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount (CNY)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    file = forms.FileField(label=_("Proposal file"), required=False)


class ContractForm(forms.Form):
    number = forms.CharField(label=_("Contract number"), max_length=50)
    amount = forms.DecimalField(label=_("Amount (CNY)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    signed_on = DayField(label=_("Signed on"))
    term_months = forms.IntegerField(label=_("Term (months)"), min_value=1, max_value=120, initial=12)


class PaymentForm(forms.Form):
    contract = forms.ModelChoiceField(label=_("Contract"), queryset=None)
    amount = forms.DecimalField(label=_("Amount (CNY)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    received_on = DayField(label=_("Received on"))
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices)

    def __init__(self, *args, contracts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = contracts
        if len(contracts) == 1:
            self.fields["contract"].initial = contracts.first()


class StageBackForm(forms.Form):
    to_stage = forms.ChoiceField(label=_("Back to"), choices=[(stage, Stage(stage).label) for stage in STAGE_PATH[:-2]])
    reason = forms.CharField(label=_("Why"), max_length=200)
