"""What the API shows of each thing, and what it accepts; the rules stay in the services the pages use."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from deals.models import Contract, Payment, PaymentMethod
from leads.imports import COLUMNS
from leads.models import CloseReason, Lead
from visits.models import Outcome, PersonRole, Visit, VisitMode

CONTACT_FIELDS = ("contact_name", "contact_role", "phone", "second_phone")


class LeadSerializer(serializers.ModelSerializer):
    owner = serializers.IntegerField(source="owner_id", allow_null=True, read_only=True)
    team = serializers.IntegerField(source="team_id", read_only=True)
    contact_shown = serializers.SerializerMethodField(help_text="False in the public pool: contacts are hidden.")

    class Meta:
        model = Lead
        fields = (
            "id",
            "team",
            "owner",
            "state",
            "stage",
            "company_name",
            *CONTACT_FIELDS,
            "address",
            "building",
            "district",
            "city",
            "industry",
            "source",
            "priority",
            "assigned_at",
            "follow_up_deadline",
            "resolve_deadline",
            "last_follow_up_at",
            "private_since",
            "created_at",
            "updated_at",
            "contact_shown",
        )
        read_only_fields = fields

    def get_contact_shown(self, lead) -> bool:
        return lead.pk in self.context["contact_shown"]

    def to_representation(self, lead):
        data = super().to_representation(lead)
        if not data["contact_shown"]:
            # The public pool hides a lead's contacts until someone claims it, here as on its page.
            data.update(dict.fromkeys(CONTACT_FIELDS, ""))
        return data


class LeadIntakeSerializer(serializers.Serializer):
    """A new lead: the columns of the lead form and the import, each as text; the team for a manager."""

    team = serializers.IntegerField(required=False, help_text=_("A manager's team; a rep's lead is in their own."))

    def get_fields(self):
        fields = super().get_fields()
        for name in COLUMNS:
            fields[name] = serializers.CharField(required=name == "company_name", allow_blank=True, max_length=255)
        return fields


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=255)


class KeepSerializer(serializers.Serializer):
    give_back = serializers.IntegerField(required=False, help_text=_("At the cap: the private lead to give back."))


class AssignSerializer(serializers.Serializer):
    rep = serializers.IntegerField()
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class CloseSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=CloseReason.choices)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class VisitSerializer(serializers.ModelSerializer):
    rep = serializers.IntegerField(source="rep_id", read_only=True)
    team = serializers.IntegerField(source="team_id", read_only=True)
    lead = serializers.IntegerField(source="lead_id", read_only=True, allow_null=True)

    class Meta:
        model = Visit
        fields = (
            "id",
            "rep",
            "team",
            "lead",
            "company_name",
            "day",
            "occurred_at",
            "entered_at",
            "mode",
            "person_met",
            "person_role",
            "outcome",
            "notes",
            "next_step",
            "building",
            "address",
            "is_cold",
            "is_follow_up",
            "is_late",
            "is_voided",
            "not_counted",
            "client_id",
        )
        read_only_fields = fields


class ColdVisitSerializer(serializers.Serializer):
    company_name = serializers.CharField(max_length=200)
    contact_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    building = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    district = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")


class VisitEntrySerializer(serializers.Serializer):
    """A visit to log: on one of the rep's leads (`lead`), or a cold visit (`cold`)."""

    lead = serializers.IntegerField(required=False)
    cold = ColdVisitSerializer(required=False)
    occurred_at = serializers.DateTimeField(required=False, help_text=_("When it happened; now if left out."))
    mode = serializers.ChoiceField(choices=VisitMode.choices, default=VisitMode.IN_PERSON)
    person_met = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    person_role = serializers.ChoiceField(choices=PersonRole.choices)
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    next_step = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    building = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False)
    accuracy = serializers.IntegerField(required=False, min_value=0)

    def validate(self, data):
        if ("lead" in data) == ("cold" in data):
            raise serializers.ValidationError(_("Give either lead (one of your leads) or cold (a cold visit)."))
        return data


class ContractSerializer(serializers.ModelSerializer):
    lead = serializers.IntegerField(source="lead_id", read_only=True)
    team = serializers.IntegerField(source="team_id", read_only=True)
    rep = serializers.IntegerField(source="signed_by_id", read_only=True)

    class Meta:
        model = Contract
        fields = ("id", "lead", "team", "rep", "number", "amount", "signed_on", "term_months", "is_reversed")
        read_only_fields = fields


class PaymentSerializer(serializers.ModelSerializer):
    contract = serializers.IntegerField(source="contract_id")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    method = serializers.ChoiceField(choices=PaymentMethod.choices)

    class Meta:
        model = Payment
        fields = ("id", "contract", "amount", "received_on", "method", "is_reversed", "created_at")
        read_only_fields = ("id", "is_reversed", "created_at")
