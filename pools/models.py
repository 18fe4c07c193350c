from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
