from datetime import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class PoolPolicy(models.Model):
    """A team's rules: every timer, cap, quota and target of DESIGN.md, with its default."""

    team = models.OneToOneField("crm.Team", on_delete=models.CASCADE, related_name="policy", verbose_name=_("team"))

    follow_up_hours = models.PositiveIntegerField(
        _("first follow-up within (hours)"), default=48, validators=[MinValueValidator(1), MaxValueValidator(720)]
    )
    resolve_days = models.PositiveIntegerField(
        _("resolve within (days)"), default=7, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    remind_before_hours = models.PositiveIntegerField(
        _("remind before a deadline (hours)"), default=12, validators=[MinValueValidator(1), MaxValueValidator(168)]
    )
    reclaim_cooldown_days = models.PositiveIntegerField(
        _("cooldown after losing a lead (days)"), default=7, validators=[MaxValueValidator(90)]
    )
    private_cap = models.PositiveIntegerField(
        _("private pool cap"), default=30, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    private_idle_days = models.PositiveIntegerField(
        _("private lead idle limit (days)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    daily_claim_limit = models.PositiveIntegerField(
        _("claims per rep per day"), default=20, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    allocation_min = models.PositiveIntegerField(
        _("allocation quota minimum"), default=30, validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    allocation_max = models.PositiveIntegerField(
        _("allocation quota maximum"), default=50, validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    auto_allocate = models.BooleanField(_("allocate automatically each morning"), default=False)
    allocation_time = models.TimeField(_("allocation time"), default=time(8, 0))
    daily_visit_target = models.PositiveIntegerField(
        _("in-person visits per day"), default=8, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    daily_effective_target = models.PositiveIntegerField(
        _("effective visits per day"), default=2, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    daily_effective_stretch = models.PositiveIntegerField(
        _("effective visits stretch target"), default=3, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    entry_cutoff = models.TimeField(_("visit entry cut-off"), default=time(23, 0))
    qc_effective_rate = models.DecimalField(
        _("QC sample rate, effective visits (%)"),
        max_digits=5,
        decimal_places=2,
        default=20,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    qc_potential_rate = models.DecimalField(
        _("QC sample rate, potential visits (%)"),
        max_digits=5,
        decimal_places=2,
        default=5,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    qc_minimum_per_rep = models.PositiveIntegerField(
        _("QC sample minimum per rep and day"), default=1, validators=[MaxValueValidator(20)]
    )
    qc_unreachable_retries = models.PositiveIntegerField(
        _("QC retries when unreachable"), default=3, validators=[MaxValueValidator(10)]
    )
    qc_draw_time = models.TimeField(_("QC draw time"), default=time(9, 0))
    qc_weight_by_risk = models.BooleanField(_("weight QC draws by risk signals"), default=False)

    class Meta:
        verbose_name = _("pool policy")
        verbose_name_plural = _("pool policies")

    def __str__(self):
        return str(self.team)

    def clean(self):
        # (field to blame, whether the rule is broken, message)
        rules = [
            (
                "allocation_min",
                lambda: self.allocation_min > self.allocation_max,
                _("The minimum quota cannot be above the maximum."),
            ),
            (
                "daily_effective_target",
                lambda: self.daily_effective_target > self.daily_visit_target,
                _("Effective visits cannot exceed the visit target."),
            ),
            (
                "daily_effective_stretch",
                lambda: self.daily_effective_stretch < self.daily_effective_target,
                _("The stretch target cannot be below the effective target."),
            ),
            (
                "remind_before_hours",
                lambda: self.remind_before_hours >= self.follow_up_hours,
                _("The reminder must come before the follow-up deadline."),
            ),
        ]
        errors = {}
        for name, is_broken, message in rules:
            try:
                if is_broken():
                    errors[name] = message
            except TypeError:  # a value missing or invalid; its own field error says so
                continue
        if errors:
            raise ValidationError(errors)


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
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    STAGE = "stage", _("Stage changed")


class LeadEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Lead events are append-only.")

    def delete(self):
        raise TypeError("Lead events are append-only.")


class LeadEvent(models.Model):
    """One change of a lead's owner or state. Append-only: written once, in the transaction of the change."""

    lead = models.ForeignKey("leads.Lead", on_delete=models.PROTECT, related_name="events", verbose_name=_("lead"))
    kind = models.CharField(_("what"), max_length=12, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    job = models.CharField(_("job"), max_length=50, blank=True, help_text=_("The periodic job that made the change."))
    from_state = models.CharField(_("from state"), max_length=10, blank=True)
    to_state = models.CharField(_("to state"), max_length=10)
    from_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("why"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("when"), db_index=True)

    objects = LeadEventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("lead event")
        verbose_name_plural = _("lead events")
        indexes = [
            # Daily claim counts and cooldown look-ups.
            models.Index(fields=["actor", "kind", "created_at"], name="event_actor_kind_time"),
            models.Index(fields=["from_owner", "lead", "created_at"], name="event_lost_lead"),
        ]

    def __str__(self):
        return f"{self.lead_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Lead events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Lead events are append-only.")


class RepQuota(models.Model):
    """How many leads a rep gets each morning, set by the manager within the policy's range."""

    rep = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quota", verbose_name=_("rep")
    )
    daily_leads = models.PositiveIntegerField(_("leads per morning"))

    class Meta:
        verbose_name = _("rep quota")
        verbose_name_plural = _("rep quotas")

    def __str__(self):
        return f"{self.rep}: {self.daily_leads}"


class AllocationRun(models.Model):
    """One allocation of a team's pool on a day, by a manager or by the morning job."""

    team = models.ForeignKey("crm.Team", on_delete=models.CASCADE, related_name="allocation_runs")
    day = models.DateField(_("day"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    is_automatic = models.BooleanField(_("by the morning job"), default=False)
    allocated = models.PositiveIntegerField(_("leads allocated"), default=0)
    shortfall = models.PositiveIntegerField(_("leads missing"), default=0)
    created_at = models.DateTimeField(_("when"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("allocation run")
        verbose_name_plural = _("allocation runs")
        constraints = [
            # The morning job allocates a team once a day, however often beat fires.
            models.UniqueConstraint(
                fields=["team", "day"], condition=models.Q(is_automatic=True), name="one_automatic_allocation_a_day"
            )
        ]

    def __str__(self):
        return f"{self.team} {self.day}: {self.allocated}"
