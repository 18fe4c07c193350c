from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.choices import ChoiceLabels


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank", _("Bank transfer")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    CASH = "cash", _("Cash")
    OTHER = "other", _("Other")


class EntryQuerySet(models.QuerySet):
    """Contracts and payments are never edited or deleted: a wrong one is reversed by an entry of the opposite amount
    on the same day, with a reason. A sum over all entries is therefore the sum of what stands; a count or an
    "is there one" asks for `standing()` entries."""

    def standing(self):
        return self.filter(is_reversed=False, reverses__isnull=True)


STANDING = models.Q(is_reversed=False, reverses__isnull=True)


class Proposal(models.Model):
    lead = models.ForeignKey("leads.Lead", on_delete=models.PROTECT, related_name="proposals", verbose_name=_("lead"))
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2)
    file = models.FileField(_("file"), upload_to="proposals/%Y/%m/", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")

    def __str__(self):
        return f"{self.lead} ¥{self.amount}"


class Contract(models.Model):
    lead = models.ForeignKey(
        "leads.Lead", on_delete=models.PROTECT, related_name="contracts", verbose_name=_("customer")
    )
    number = models.CharField(_("contract number"), max_length=50)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2)
    signed_on = models.DateField(_("signed on"))
    term_months = models.PositiveIntegerField(_("term (months)"))
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("rep")
    )
    # The lead's team, kept on the contract (a lead never changes team) so a team's revenue is read by an index
    # instead of through every lead of the team.
    team = models.ForeignKey("crm.Team", on_delete=models.PROTECT, related_name="+", verbose_name=_("team"))
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversal", verbose_name=_("reverses")
    )
    is_reversed = models.BooleanField(_("reversed"), default=False, db_default=False)
    reason = models.CharField(_("why it was reversed"), max_length=255, blank=True, default="", db_default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_on", "-pk"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        indexes = [
            models.Index(fields=["signed_on"], name="contract_signed_on"),
            models.Index(fields=["team", "signed_on"], name="contract_team_signed_on"),
        ]
        constraints = [
            # A number names one standing contract; a reversed one's number may be entered again, corrected.
            models.UniqueConstraint(fields=["number"], condition=STANDING, name="contract_number_standing"),
            models.CheckConstraint(
                condition=models.Q(reverses__isnull=True, amount__gt=0)
                | models.Q(reverses__isnull=False, amount__lt=0),
                name="contract_reversal_is_negative",
            ),
        ]

    def __str__(self):
        return self.number


class Payment(ChoiceLabels):
    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="payments", verbose_name=_("contract")
    )
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2)
    received_on = models.DateField(_("received on"))
    method = models.CharField(_("method"), max_length=10, choices=PaymentMethod.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversal", verbose_name=_("reverses")
    )
    is_reversed = models.BooleanField(_("reversed"), default=False, db_default=False)
    reason = models.CharField(_("why it was reversed"), max_length=255, blank=True, default="", db_default="")

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["received_on", "pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reverses__isnull=True, amount__gt=0)
                | models.Q(reverses__isnull=False, amount__lt=0),
                name="payment_reversal_is_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["received_on"], name="payment_received_on"),
            # A team's payments of a period (the revenue chart), read from the index alone contract by contract.
            models.Index(fields=["contract", "received_on"], include=["amount"], name="payment_contract_day"),
        ]

    def __str__(self):
        return f"{self.contract} ¥{self.amount}"
