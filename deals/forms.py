from decimal import Decimal

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.forms import QuickForm
from core.params import DayField
from deals.models import PaymentMethod
from leads.models import STAGE_PATH, Stage


class NeedForm(QuickForm):
    need = forms.CharField(label=_("Confirmed need"), widget=forms.Textarea(attrs={"rows": 2}))


# What a proposal file may be, told by its first bytes (its name can lie): the kind, the names it may carry.
PROPOSAL_KINDS = (
    (b"%PDF-", "PDF", (".pdf",)),
    (b"PK\x03\x04", "Word, Excel or PowerPoint", (".docx", ".xlsx", ".pptx")),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Word, Excel or PowerPoint 97-2003", (".doc", ".xls", ".ppt")),
    (b"\x89PNG\r\n\x1a\n", "PNG", (".png",)),
    (b"\xff\xd8\xff", "JPEG", (".jpg", ".jpeg")),
)
PROPOSAL_MAX_MEGABYTES = 10


class ProposalForm(QuickForm):
    markup_alike_for_all = ("amount",)  # not the file: its help text is set per form, in the reader's language
    amount = forms.DecimalField(label=_("Amount (CNY)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    file = forms.FileField(label=_("Proposal file"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext("PDF, Word, Excel, PowerPoint or a photo, up to %(megabytes)s MB.") % {
            "megabytes": PROPOSAL_MAX_MEGABYTES
        }

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return upload
        if upload.size > PROPOSAL_MAX_MEGABYTES * 1024 * 1024:
            raise forms.ValidationError(
                _("The file is larger than %(megabytes)s MB.") % {"megabytes": PROPOSAL_MAX_MEGABYTES}
            )
        head = upload.read(16)
        upload.seek(0)
        name = upload.name.lower()
        for magic, _kind, suffixes in PROPOSAL_KINDS:
            if head.startswith(magic) and name.endswith(suffixes):
                return upload
        raise forms.ValidationError(_("Upload a PDF, Word, Excel or PowerPoint file, or a PNG or JPEG photo."))


class ContractForm(QuickForm):
    markup_alike_for_all = ("number", "amount", "term_months")
    number = forms.CharField(label=_("Contract number"), max_length=50)
    amount = forms.DecimalField(label=_("Amount (CNY)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    signed_on = DayField(label=_("Signed on"))
    term_months = forms.IntegerField(label=_("Term (months)"), min_value=1, max_value=120, initial=12)


class PaymentForm(QuickForm):
    markup_alike_for_all = ("amount", "method")
    offered = ()  # the contracts a payment may be for, shown on the page
    contract = forms.ModelChoiceField(label=_("Contract"), queryset=None)
    amount = forms.DecimalField(label=_("Amount (CNY)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    received_on = DayField(label=_("Received on"))
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices)

    def __init__(self, *args, contracts, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["contract"]
        field.queryset = contracts  # what a posted contract is checked against
        if self.is_bound:
            return
        # Read once for the page: through the queryset, counting, preselecting and showing them took four reads.
        self.offered = list(contracts)
        as_choice = field.iterator(field).choice
        empty = [] if field.empty_label is None else [("", field.empty_label)]
        field.choices = [*empty, *(as_choice(contract) for contract in self.offered)]
        if len(self.offered) == 1:
            field.initial = self.offered[0]


class StageBackForm(QuickForm):
    markup_alike_for_all = ("to_stage", "reason")
    to_stage = forms.ChoiceField(label=_("Back to"), choices=[(stage, Stage(stage).label) for stage in STAGE_PATH[:-2]])
    reason = forms.CharField(label=_("Why"), max_length=200)


class ReversalForm(forms.Form):
    entry = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Why it is wrong"),
        max_length=255,
        help_text=_("The entry stays in the history with an opposite entry; nothing is edited or deleted."),
    )
