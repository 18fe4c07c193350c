from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
