"""The API's views: thin callers of the same selectors (what a user may see) and services (what they may do) as the
pages, so another rep's lead is a 404 here too and every refusal has the page's words."""

import uuid
from datetime import timedelta

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as shapes
from core.access import chosen_team, managed_teams, report_teams, scope_to_user
from core.calendar import last_closed_day, local_day
from core.models import Role
from core.params import parse_day
from core.selectors import active_reps
from deals.models import Contract, Payment
from deals.selectors import pipeline_of
from deals.services import record_payment
from leads.models import Lead, LeadSource
from leads.selectors import get_lead_for
from leads.services.intake import create_lead
from leads.services.outcomes import close_lead
from pools.selectors import public_pool, with_company_name_like
from pools.services.ownership import assign_leads, claim_lead, keep_lead, return_lead
from reports import daily
from visits.models import Visit
from visits.selectors import visits_visible_to
from visits.services.entry import log_visit


class NewestFirst(CursorPagination):
    """Cursor pages: stable while rows are added, and as fast on the thousandth page as on the first."""

    ordering = "-pk"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def _roles(request, *roles):
    if request.user.role not in roles:
        raise PermissionDenied(_("Your role cannot do this."))


def _contact_shown(user, leads) -> set[int]:
    """The leads among `leads` whose contacts `user` sees: one query a page, by the pages' own rule."""
    ids = [lead.pk for lead in leads]
    return set(scope_to_user(Lead.objects.filter(pk__in=ids), user).values_list("pk", flat=True))


def _day(request, name):
    text = request.query_params.get(name)
    if not text:
        return None
    day = parse_day(text)
    if day is None:
        raise ValidationError({name: [_("Use a day as YYYY-MM-DD.")]})
    return day


class LeadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Leads: a rep's own, a manager's and QC's teams'. A rep also opens a public-pool lead of their team by id
    (contacts hidden), and lists the pool at /api/v1/pool/."""

    queryset = Lead.objects.none()  # the model, for the schema; get_queryset scopes every request
    lookup_value_regex = r"[0-9]+"
    serializer_class = shapes.LeadSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        leads = scope_to_user(Lead.objects.all(), self.request.user)
        params = self.request.query_params
        if params.get("state"):
            leads = leads.filter(state=params["state"])
        if params.get("stage"):
            leads = leads.filter(stage=params["stage"])
        if params.get("search"):
            leads = with_company_name_like(leads, params["search"][:100])
        updated_after = params.get("updated_after")
        if updated_after:
            day = parse_day(updated_after)
            if day is None:
                raise ValidationError({"updated_after": [_("Use a day as YYYY-MM-DD.")]})
            leads = leads.filter(updated_at__date__gte=day)
        return leads

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "contact_shown": getattr(self, "_shown", set())}

    @extend_schema(
        parameters=[
            OpenApiParameter("state", str),
            OpenApiParameter("stage", str),
            OpenApiParameter("search", str, description="Part of the company name."),
            OpenApiParameter("updated_after", str, description="YYYY-MM-DD"),
        ]
    )
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        self._shown = _contact_shown(request.user, page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        lead = self._lead()
        self._shown = _contact_shown(request.user, [lead])
        return Response(self.get_serializer(lead).data)

    def _lead(self) -> Lead:
        return get_lead_for(self.request.user, self.kwargs["pk"])

    def _answer(self, lead, code=status.HTTP_200_OK):
        lead.refresh_from_db()
        self._shown = _contact_shown(self.request.user, [lead])
        return Response(self.get_serializer(lead).data, status=code)

    @extend_schema(request=shapes.LeadIntakeSerializer, responses={201: shapes.LeadSerializer})
    def create(self, request):
        """Lead intake: the duplicate check and collisions of the lead form (a match is refused with its owner)."""
        _roles(request, Role.REP, Role.MANAGER, Role.ADMIN)
        intake = shapes.LeadIntakeSerializer(data=request.data)
        intake.is_valid(raise_exception=True)
        values = dict(intake.validated_data)
        # A rep's lead is in their own team whatever the body says; a manager names one of theirs.
        wanted_team = values.pop("team", None)
        team = None
        if wanted_team is not None and request.user.role != Role.REP:
            team = get_object_or_404(managed_teams(request.user), pk=wanted_team)
        lead = create_lead(actor=request.user, values=values, team=team, source=LeadSource.WEB)
        return self._answer(lead, status.HTTP_201_CREATED)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        return self._answer(claim_lead(actor=request.user, lead=self._lead()))

    @extend_schema(request=shapes.KeepSerializer)
    @action(detail=True, methods=["post"])
    def keep(self, request, pk=None):
        body = shapes.KeepSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        give_back = None
        if "give_back" in body.validated_data:
            give_back = get_lead_for(request.user, body.validated_data["give_back"])
        return self._answer(keep_lead(actor=request.user, lead=self._lead(), give_back=give_back))

    @extend_schema(request=shapes.ReasonSerializer, operation_id="leads_return")
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def give_back(self, request, pk=None):
        body = shapes.ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(return_lead(actor=request.user, lead=self._lead(), reason=body.validated_data["reason"]))

    @extend_schema(request=shapes.AssignSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        _roles(request, Role.MANAGER, Role.ADMIN)
        body = shapes.AssignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        lead = self._lead()
        rep = get_object_or_404(active_reps(lead.team), pk=body.validated_data["rep"])
        result = assign_leads(actor=request.user, leads=[lead], rep=rep, reason=body.validated_data["reason"])
        if not result.assigned:
            (_lead, why), *_rest = result.skipped
            return Response({"detail": _("Not assigned: %(why)s.") % {"why": why}}, status=status.HTTP_409_CONFLICT)
        return self._answer(lead)

    @extend_schema(request=shapes.CloseSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        body = shapes.CloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        return self._answer(close_lead(actor=request.user, lead=self._lead(), reason=data["reason"], note=data["note"]))


class PoolViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """A team's public pool (a rep's own team; ?team= for a manager), contacts hidden until claimed."""

    queryset = Lead.objects.none()  # the model, for the schema; get_queryset scopes every request
    lookup_value_regex = r"[0-9]+"
    serializer_class = shapes.LeadSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        user = self.request.user
        if user.role == Role.REP:
            teams = [user.first_membership.team]
        elif user.role in (Role.MANAGER, Role.ADMIN):
            teams = list(managed_teams(user))
        else:
            raise PermissionDenied(_("Your role cannot do this."))
        team = chosen_team(self.request, teams)
        return public_pool(team, search=self.request.query_params.get("search", "")[:100])

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "contact_shown": set()}

    @extend_schema(parameters=[OpenApiParameter("team", int), OpenApiParameter("search", str)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class VisitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Visits: a rep's own, a manager's and QC's teams'. A rep logs one with an Idempotency-Key: sent again, the
    same key answers with the visit already saved (200, not 201), so a retry never doubles a visit."""

    queryset = Visit.objects.none()  # the model, for the schema; get_queryset scopes every request
    lookup_value_regex = r"[0-9]+"
    serializer_class = shapes.VisitSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        visits = visits_visible_to(self.request.user)
        first, last = _day(self.request, "day_from"), _day(self.request, "day_to")
        if first:
            visits = visits.filter(day__gte=first)
        if last:
            visits = visits.filter(day__lte=last)
        return visits

    @extend_schema(
        parameters=[OpenApiParameter("day_from", str), OpenApiParameter("day_to", str)],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=shapes.VisitEntrySerializer,
        responses={201: shapes.VisitSerializer, 200: shapes.VisitSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, description="A UUID")],
    )
    def create(self, request):
        _roles(request, Role.REP)
        key = request.headers.get("Idempotency-Key", "")
        try:
            client_id = uuid.UUID(key) if key else None
        except ValueError:
            raise ValidationError({"Idempotency-Key": [_("Use a UUID as the Idempotency-Key.")]}) from None
        entry = shapes.VisitEntrySerializer(data=request.data)
        entry.is_valid(raise_exception=True)
        data = entry.validated_data
        result = log_visit(
            actor=request.user,
            values=data,
            lead_id=data.get("lead"),
            cold=data.get("cold"),
            occurred_at=data.get("occurred_at"),
            location=(data.get("latitude"), data.get("longitude"), data.get("accuracy")),
            client_id=client_id,
        )
        body = {**self.get_serializer(result.visit).data, "notices": [str(notice) for notice in result.notices]}
        return Response(body, status=status.HTTP_200_OK if result.replayed else status.HTTP_201_CREATED)


class ContractViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Contracts of the deals a user follows: a rep their own, a manager their teams'."""

    queryset = Contract.objects.none()  # the model, for the schema; get_queryset scopes every request
    lookup_value_regex = r"[0-9]+"
    serializer_class = shapes.ContractSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        if self.request.user.role == Role.QC:
            return Contract.objects.none()
        return scope_to_user(Contract.objects.all(), self.request.user, owner_field="lead__owner")


class PaymentViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Payments received; recording one follows the page's rules (never more than is still due)."""

    queryset = Payment.objects.none()  # the model, for the schema; get_queryset scopes every request
    lookup_value_regex = r"[0-9]+"
    serializer_class = shapes.PaymentSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        if self.request.user.role == Role.QC:
            return Payment.objects.none()
        return scope_to_user(
            Payment.objects.all(), self.request.user, team_field="contract__team", owner_field="contract__lead__owner"
        )

    def create(self, request):
        _roles(request, Role.REP, Role.MANAGER, Role.ADMIN)
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        contracts = scope_to_user(Contract.objects.all(), request.user, owner_field="lead__owner")
        contract = get_object_or_404(contracts.select_related("lead__team"), pk=data["contract_id"])
        payment = record_payment(
            actor=request.user,
            contract=contract,
            amount=data["amount"],
            received_on=data["received_on"],
            method=data["method"],
        )
        return Response(self.get_serializer(payment).data, status=status.HTTP_201_CREATED)


class PipelineStageSerializer(serializers.Serializer):
    code = serializers.CharField()
    stage = serializers.CharField()
    count = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    latest = serializers.SerializerMethodField()

    def get_latest(self, stage) -> list[int]:
        return [lead.pk for lead in stage["leads"]]


class PipelineView(APIView):
    """The open deals a user follows, by stage (as the pipeline page): how many, their amount, the latest few ids."""

    @extend_schema(responses={200: PipelineStageSerializer(many=True)})
    def get(self, request):
        _roles(request, Role.REP, Role.MANAGER, Role.ADMIN)
        return Response(PipelineStageSerializer(pipeline_of(request.user), many=True).data)


class MeetingTotalsSerializer(serializers.Serializer):
    in_person = serializers.IntegerField()
    effective = serializers.IntegerField()
    cold = serializers.IntegerField()
    phone = serializers.IntegerField()
    new_leads = serializers.IntegerField()
    conversions = serializers.IntegerField()
    checked_in = serializers.IntegerField()
    contracts = serializers.IntegerField()
    contract_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    collected = serializers.DecimalField(max_digits=14, decimal_places=2)


class MeetingRowSerializer(MeetingTotalsSerializer):
    rep = serializers.IntegerField(source="rep.pk")
    rep_name = serializers.CharField(source="rep")
    target_met = serializers.BooleanField()


class MeetingView(APIView):
    """The evening meeting of a team and a day (?team=, ?day=YYYY-MM-DD, today by default)."""

    @extend_schema(
        parameters=[OpenApiParameter("team", int), OpenApiParameter("day", str)],
        responses={200: MeetingRowSerializer(many=True)},
    )
    def get(self, request):
        _roles(request, Role.MANAGER, Role.QC, Role.ADMIN)
        team = chosen_team(request, report_teams(request.user))
        day = _day(request, "day") or local_day(team)
        rows, totals = daily.evening_meeting(team, day)
        return Response(
            {
                "team": team.pk,
                "day": day,
                "rows": MeetingRowSerializer(rows, many=True).data,
                "totals": MeetingTotalsSerializer(totals).data,
            }
        )


class ComplianceView(APIView):
    """Weekly compliance of a team (?team=, ?week= any day of the week; the last complete week by default)."""

    @extend_schema(parameters=[OpenApiParameter("team", int), OpenApiParameter("week", str)], responses={200: dict})
    def get(self, request):
        _roles(request, Role.MANAGER, Role.ADMIN)
        team = chosen_team(request, report_teams(request.user))
        chosen = _day(request, "week")
        monday = chosen - timedelta(days=chosen.weekday()) if chosen else daily.last_complete_week(team)
        rows = daily.weekly_compliance(team, monday, last_day=last_closed_day(team))
        return Response(
            {
                "team": team.pk,
                "monday": monday,
                "rows": [
                    {
                        "rep": row.rep.pk,
                        "rep_name": str(row.rep),
                        "missed": row.missed,
                        "days": [
                            {"day": day, "in_person": visits, "effective": effective, "met": met}
                            for day, visits, effective, met in row.days
                        ],
                    }
                    for row in rows
                ],
            }
        )
