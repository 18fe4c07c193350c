from django import forms
from django.utils.translation import gettext_lazy as _

from leads.imports import MAX_FILE_MEGABYTES
from leads.models import CloseReason, Lead


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


class CloseForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=CloseReason.choices)
    note = forms.CharField(label=_("Details"), required=False, max_length=200, help_text=_("Required for “Other”."))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == CloseReason.OTHER and not cleaned.get("note", "").strip():
            self.add_error("note", _("Say why the lead is closed."))
        return cleaned


class CustomerDecisionForm(forms.Form):
    """Why a manager makes a lead a customer without a contract, or takes the status back: kept on the event."""

    reason = forms.CharField(label=_("Why"), max_length=255, widget=forms.Textarea(attrs={"rows": 2}))


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel file"),
        help_text=_("An .xlsx workbook (its first sheet), or a CSV in UTF-8 or GBK; a row names the columns."),
    )
    team = forms.ModelChoiceField(label=_("Into the public pool of"), queryset=None)

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        if len(teams) == 1:
            self.fields["team"].initial = teams.first()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_MEGABYTES * 1024 * 1024:
            raise forms.ValidationError(
                _("The file is larger than %(megabytes)s MB; split it into smaller files.")
                % {"megabytes": MAX_FILE_MEGABYTES}
            )
        return upload
