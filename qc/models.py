from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.choices import ChoiceLabels


class Draw(models.Model):
    """A random sample of one team's visits of one day. The seed is stored, so the draw can be reproduced."""

    team = models.ForeignKey("crm.Team", on_delete=models.PROTECT, related_name="draws", verbose_name=_("team"))
    day = models.DateField(_("day of the visits"))
    seed = models.BigIntegerField(_("seed"))
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("drawn by"),
    )
    is_automatic = models.BooleanField(_("by the morning job"), default=False)
    weighted_by_risk = models.BooleanField(_("weighted by risk signals"), default=False)
    effective_rate = models.DecimalField(_("effective rate (%)"), max_digits=5, decimal_places=2)
    potential_rate = models.DecimalField(_("potential rate (%)"), max_digits=5, decimal_places=2)
    minimum_per_rep = models.PositiveIntegerField(_("minimum per rep"))
    candidates = models.PositiveIntegerField(_("visits to draw from"), default=0)
    # Visits of the day sampled by earlier draws: a second draw of a day tops the first up from the rest.
    drawn_before = models.PositiveIntegerField(_("drawn before"), default=0)
    created_at = models.DateTimeField(_("drawn at"))

    class Meta:
        ordering = ["-day", "-created_at"]
        verbose_name = _("draw")
        verbose_name_plural = _("draws")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "day"], condition=models.Q(is_automatic=True), name="one_automatic_draw_a_day"
            )
        ]

    def __str__(self):
        return f"{self.team} {self.day} #{self.seed}"


class SampleStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    VERIFIED = "verified", _("Verified")
    MINOR_MISMATCH = "minor_mismatch", _("Minor mismatch")
    FALSIFIED = "falsified", _("Falsified")
    UNREACHABLE = "unreachable", _("Unreachable, to retry")
    UNVERIFIABLE = "unverifiable", _("Unverifiable")


OPEN_STATUSES = (SampleStatus.PENDING, SampleStatus.UNREACHABLE)


class Sample(ChoiceLabels):
    """A visit drawn for audit, with the risk signals seen when it was drawn. A visit is drawn at most once."""

    draw = models.ForeignKey(Draw, on_delete=models.PROTECT, related_name="samples", verbose_name=_("draw"))
    visit = models.OneToOneField(
        "visits.Visit", on_delete=models.PROTECT, related_name="sample", verbose_name=_("visit")
    )
    signals = models.JSONField(_("risk signals"), default=list)
    status = models.CharField(_("status"), max_length=16, choices=SampleStatus.choices, default=SampleStatus.PENDING)
    attempts = models.PositiveIntegerField(_("contact attempts"), default=0)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("sample")
        verbose_name_plural = _("samples")
        indexes = [models.Index(fields=["status", "draw"], name="sample_queue")]

    def __str__(self):
        return f"{self.visit_id} ({self.status})"


class AuditOutcome(models.TextChoices):
    VERIFIED = "verified", _("Verified with the customer")
    MINOR_MISMATCH = "minor_mismatch", _("Minor mismatch")
    FALSIFIED = "falsified", _("Falsified")
    UNREACHABLE = "unreachable", _("Customer unreachable")


class Audit(ChoiceLabels):
    """One check of a sampled visit with the customer: what was found, by whom, when."""

    sample = models.ForeignKey(Sample, on_delete=models.PROTECT, related_name="audits", verbose_name=_("sample"))
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("auditor")
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=AuditOutcome.choices)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("when"))

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("audit")
        verbose_name_plural = _("audits")

    def __str__(self):
        return f"{self.sample_id}: {self.outcome}"


class Incident(models.Model):
    """A falsified visit recorded against the rep. Permanent: integrity is the red line."""

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("rep")
    )
    team = models.ForeignKey("crm.Team", on_delete=models.PROTECT, related_name="+", verbose_name=_("team"))
    visit = models.OneToOneField(
        "visits.Visit", on_delete=models.PROTECT, related_name="incident", verbose_name=_("visit")
    )
    audit = models.OneToOneField(Audit, on_delete=models.PROTECT, related_name="incident", verbose_name=_("audit"))
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("integrity incident")
        verbose_name_plural = _("integrity incidents")

    def __str__(self):
        return f"{self.rep} · {self.visit}"
