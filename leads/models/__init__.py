from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.choices import ChoiceLabels
from core.links import path_to

# The uploaded files' models, for `from leads.models import LeadImport` as with every other model of the app.
from leads.models.uploads import ImportStatus as ImportStatus
from leads.models.uploads import LeadImport as LeadImport


class LeadState(models.TextChoices):
    PUBLIC = "public", _("Public pool")
    ASSIGNED = "assigned", _("Assigned")
    PRIVATE = "private", _("Private pool")
    CUSTOMER = "customer", _("Customer")
    CLOSED = "closed", _("Closed")


class LeadSource(models.TextChoices):
    IMPORT = "import", _("Import")
    COLD_VISIT = "cold_visit", _("Cold visit")
    MANUAL = "manual", _("Manual")
    WEB = "web", _("Web")


class CloseReason(models.TextChoices):
    INVALID_CONTACT = "invalid_contact", _("Invalid contact")
    NO_NEED = "no_need", _("No need")
    CHOSE_COMPETITOR = "competitor", _("Chose a competitor")
    DUPLICATE = "duplicate", _("Duplicate")
    OUT_OF_BUSINESS = "out_of_business", _("Out of business")
    OTHER = "other", _("Other")


class Stage(models.TextChoices):
    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    EFFECTIVE_VISIT = "effective_visit", _("Effective visit")
    NEEDS_CONFIRMED = "needs_confirmed", _("Needs confirmed")
    PROPOSAL = "proposal", _("Proposal")
    CONTRACT_SIGNED = "contract_signed", _("Contract signed")
    PAYMENT_COLLECTED = "payment_collected", _("Payment collected")
    CLOSED = "closed", _("Closed")


# The path a deal walks, in order; "closed" stands beside it.
STAGE_PATH = [stage for stage in Stage.values if stage != Stage.CLOSED]


class PositionSource(models.TextChoices):
    IMPORT = "import", _("the import")
    MANAGER = "manager", _("a manager")
    CHECK_IN = "check_in", _("a check-in confirmed by QC")


class Lead(ChoiceLabels):
    team = models.ForeignKey("crm.Team", on_delete=models.PROTECT, related_name="leads", verbose_name=_("team"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_leads",
        verbose_name=_("owner"),
    )
    state = models.CharField(_("state"), max_length=10, choices=LeadState.choices, default=LeadState.PUBLIC)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.NEW, db_index=True)
    confirmed_need = models.TextField(_("confirmed need"), blank=True)

    company_name = models.CharField(_("company"), max_length=200)
    company_key = models.CharField(max_length=200, db_index=True, editable=False)
    contact_name = models.CharField(_("contact"), max_length=100, blank=True)
    contact_role = models.CharField(_("contact's role"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    phone_key = models.CharField(max_length=30, blank=True, db_index=True, editable=False)
    second_phone = models.CharField(_("second phone"), max_length=50, blank=True)
    second_phone_key = models.CharField(max_length=30, blank=True, db_index=True, editable=False)
    address = models.CharField(_("address"), max_length=255, blank=True)
    building = models.CharField(_("building"), max_length=100, blank=True)
    district = models.CharField(_("district"), max_length=50, blank=True)
    city = models.CharField(_("city"), max_length=50, blank=True)
    industry = models.CharField(_("industry"), max_length=50, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=LeadSource.choices, default=LeadSource.MANUAL)
    priority = models.PositiveSmallIntegerField(_("priority"), default=0, help_text=_("Higher is allocated first."))
    # Where the company is, once known: from the import, from a manager, or from a check-in that QC confirmed. A
    # check-in far from it is a QC signal. Shown only to those who see the lead's contact, never exported.
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    position_source = models.CharField(
        _("position from"), max_length=10, blank=True, default="", db_default="", choices=PositionSource.choices
    )

    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    follow_up_deadline = models.DateTimeField(_("first follow-up deadline"), null=True, blank=True)
    resolve_deadline = models.DateTimeField(_("resolve deadline"), null=True, blank=True)
    last_follow_up_at = models.DateTimeField(_("last follow-up at"), null=True, blank=True)
    # The deadline each reminder was last sent for, so every deadline is reminded once.
    follow_up_reminded_for = models.DateTimeField(null=True, blank=True, editable=False)
    resolve_reminded_for = models.DateTimeField(null=True, blank=True, editable=False)
    private_since = models.DateTimeField(_("in the private pool since"), null=True, blank=True)
    close_reason = models.CharField(_("close reason"), max_length=20, choices=CloseReason.choices, blank=True)
    close_note = models.CharField(_("close note"), max_length=200, blank=True)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [
            # The public pool page: its filter and its order, to the last tie-break.
            models.Index(fields=["team", "state", "-priority", "created_at", "id"], name="lead_pool_page"),
            # The manager's team view: most recently changed first.
            models.Index(fields=["team", "-updated_at", "-id"], name="lead_team_recent"),
            # The funnel counts the deals of a team: every lead but the untouched public ones and the closed ones.
            models.Index(
                fields=["team", "stage"],
                condition=~models.Q(stage="closed") & ~models.Q(state="public", stage="new"),
                name="lead_team_deals",
            ),
            # A team's owned leads (the ones reps work), by state and stage, most recently moved first.
            models.Index(
                fields=["team", "state", "stage", "-updated_at"],
                condition=models.Q(state__in=["assigned", "private", "customer"]),
                name="lead_team_worked",
            ),
            # One stage of the pipeline a page at a time, most recently moved first (no sort of the whole stage).
            models.Index(
                fields=["team", "stage", "-updated_at", "-id"],
                condition=models.Q(state__in=["assigned", "private", "customer"]),
                name="lead_team_stage_recent",
            ),
            models.Index(fields=["owner", "state"], name="lead_owner_state"),
            models.Index(fields=["team", "state", "resolve_deadline"], name="lead_team_deadline"),
            # With lead_resolve_due, "due within a day" of a team (the dashboard) without visiting the team's pool.
            models.Index(
                fields=["team", "follow_up_deadline"],
                condition=models.Q(state="assigned", last_follow_up_at__isnull=True),
                name="lead_team_first_due",
            ),
            # The reclaim job's scans: overdue assigned leads and idle private ones.
            models.Index(
                fields=["follow_up_deadline"], condition=models.Q(state="assigned"), name="lead_follow_up_due"
            ),
            models.Index(fields=["resolve_deadline"], condition=models.Q(state="assigned"), name="lead_resolve_due"),
            models.Index(fields=["private_since"], condition=models.Q(state="private"), name="lead_private_since"),
        ]

    def __str__(self):
        return self.company_name

    def get_absolute_url(self):
        return path_to("leads:detail", self.pk)

    @property
    def masked_phone(self) -> str:
        """Return the phone as the public pool shows it: at most 4 digits visible, and never more than half."""
        digits = self.phone_key or "".join(character for character in self.phone if character.isdigit())
        visible = min(4, len(digits) // 2)
        head = visible // 2
        tail = visible - head
        return digits[:head] + "*" * (len(digits) - visible) + (digits[-tail:] if tail else "")


class Collision(ChoiceLabels):
    """Someone tried to add a lead that another rep already owns; managers review these."""

    lead = models.ForeignKey(Lead, on_delete=models.PROTECT, related_name="collisions", verbose_name=_("existing lead"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner at the time")
    )
    attempted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("attempted by")
    )
    company_name = models.CharField(_("company entered"), max_length=200)
    phone = models.CharField(_("phone entered"), max_length=50, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=LeadSource.choices)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("collision")
        verbose_name_plural = _("collisions")

    def __str__(self):
        return f"{self.company_name} → {self.lead}"


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    IMPORTED = "imported", _("Imported")
    CLAIMED = "claimed", _("Claimed")
    ASSIGNED = "assigned", _("Assigned")
    REASSIGNED = "reassigned", _("Reassigned")
    ALLOCATED = "allocated", _("Allocated")
    KEPT = "kept", _("Kept in the private pool")
    RETURNED = "returned", _("Returned to the pool")
    RECLAIMED = "reclaimed", _("Reclaimed")
    CONVERTED = "converted", _("Converted to a customer")
    UNCONVERTED = "unconverted", _("Customer status withdrawn")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    STAGE = "stage", _("Stage changed")
    REVERSED = "reversed", _("Money entry reversed")


class EventReason(models.TextChoices):
    """Why the system moved a lead: stored as a code, put into words in the reader's language when shown."""

    FOLLOW_UP_MISSED = "follow_up_missed", _("First follow-up deadline missed")
    RESOLVE_MISSED = "resolve_missed", _("Resolve deadline missed")
    PRIVATE_IDLE = "private_idle", _("Private lead idle too long")
    SWAPPED_OUT = "swapped_out", _("Given back in a swap")
    CONTRACT_SIGNED = "contract_signed", _("Contract signed")
    STAGE_CHANGED = "stage_changed", _("Stage changed")
    CLOSED = "closed", _("Closed")
    PAYMENT_REVERSED = "payment_reversed", _("Payment reversed")
    CONTRACT_REVERSED = "contract_reversed", _("Contract reversed")


class EventJob(models.TextChoices):
    RECLAIM = "reclaim", _("Reclaim job")
    ALLOCATE = "allocate", _("Morning allocation")


# A reason's words, filled in from the event's details when shown.
REASON_MESSAGES = {
    EventReason.FOLLOW_UP_MISSED: _("first follow-up deadline missed"),
    EventReason.RESOLVE_MISSED: _("resolve deadline missed"),
    EventReason.PRIVATE_IDLE: _("private lead idle too long"),
    EventReason.SWAPPED_OUT: _("Given back to keep %(company)s"),
    EventReason.CONTRACT_SIGNED: _("Contract %(number)s signed"),
    EventReason.STAGE_CHANGED: _("%(from)s → %(to)s"),
    EventReason.CLOSED: "%(close_reason)s",  # the close reason's own label
    EventReason.PAYMENT_REVERSED: _(
        "Payment of ¥%(amount)s received on %(received_on)s (contract %(number)s) reversed"
    ),
    EventReason.CONTRACT_REVERSED: _("Contract %(number)s (¥%(amount)s) reversed, with its payments"),
}
# Events written before reasons and jobs were codes kept their English words; they are shown as the codes would be.
LEGACY_REASONS = {
    "first follow-up deadline missed": EventReason.FOLLOW_UP_MISSED,
    "resolve deadline missed": EventReason.RESOLVE_MISSED,
    "private lead idle": EventReason.PRIVATE_IDLE,
}
LEGACY_JOBS = {"morning allocation": EventJob.ALLOCATE}


class LeadEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Lead events are append-only.")

    def delete(self):
        raise TypeError("Lead events are append-only.")


class LeadEvent(ChoiceLabels):
    """One change of a lead's owner, state or stage. Append-only: written once, in the transaction of the change.

    `reason_code` and `details` say why in words of the system (translated when shown); `reason` holds what a
    person typed (a return reason, a close note, why a deal moved back).
    """

    lead = models.ForeignKey(Lead, on_delete=models.PROTECT, related_name="events", verbose_name=_("lead"))
    # The lead's team when it happened, kept on the event so a team's history is read by its own index rather than
    # by joining every event of the period to the leads (a year of events is tens of millions of rows).
    team = models.ForeignKey("crm.Team", on_delete=models.PROTECT, related_name="+", verbose_name=_("team"))
    kind = models.CharField(_("what"), max_length=12, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    job = models.CharField(
        _("job"),
        max_length=50,
        blank=True,
        choices=EventJob.choices,
        help_text=_("The periodic job that made the change."),
    )
    from_state = models.CharField(_("from state"), max_length=10, blank=True)
    to_state = models.CharField(_("to state"), max_length=10)
    from_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason_code = models.CharField(_("reason"), max_length=20, blank=True, choices=EventReason.choices)
    details = models.JSONField(_("details"), null=True, blank=True)
    reason = models.CharField(_("why"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("when"), db_index=True)

    objects = LeadEventQuerySet.as_manager()

    class Meta:
        # The table was created when events lived in the pools app; the append-only trigger is bound to it.
        db_table = "pools_leadevent"
        ordering = ["created_at", "pk"]
        verbose_name = _("lead event")
        verbose_name_plural = _("lead events")
        indexes = [
            # The morning briefing's "reclaimed yesterday": a small index of the reclaims alone, by time.
            models.Index(fields=["created_at"], condition=models.Q(kind="reclaimed"), name="event_reclaimed_time"),
            # A team's events of one kind over a period (the dashboard's reclaims per day).
            models.Index(fields=["team", "kind", "created_at"], name="event_team_kind_time"),
            # Daily claim counts and cooldown look-ups.
            models.Index(fields=["actor", "kind", "created_at"], name="event_actor_kind_time"),
            models.Index(fields=["from_owner", "lead", "created_at"], name="event_lost_lead"),
            # A day's conversions per rep, whoever recorded them (the evening meeting).
            models.Index(fields=["to_owner", "kind", "created_at"], name="event_new_owner_kind_time"),
        ]

    def __str__(self):
        return f"{self.lead_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Lead events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Lead events are append-only.")

    @property
    def job_label(self) -> str:
        job = LEGACY_JOBS.get(self.job, self.job)
        return str(EventJob(job).label) if job in EventJob.values else job

    @property
    def why(self) -> str:
        """Return why the lead moved, in the reader's language: the system's reason, then what a person wrote."""
        code, typed = self.reason_code, self.reason
        if not code and typed in LEGACY_REASONS:
            code, typed = LEGACY_REASONS[typed], ""
        words = str(REASON_MESSAGES[code]) % self._shown_details() if code in REASON_MESSAGES else ""
        return ": ".join(part for part in (words, typed) if part)

    def _shown_details(self) -> dict:
        shown = dict(self.details or {})
        for name in ("from", "to"):
            if shown.get(name) in Stage.values:
                shown[name] = Stage(shown[name]).label
        if shown.get("close_reason") in CloseReason.values:
            shown["close_reason"] = CloseReason(shown["close_reason"]).label
        return shown
