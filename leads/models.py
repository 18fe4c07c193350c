from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


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


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank", _("Bank transfer")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    CASH = "cash", _("Cash")
    OTHER = "other", _("Other")


class Lead(models.Model):
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
            models.Index(fields=["team", "state", "-priority", "created_at"], name="lead_pool_order"),
            models.Index(fields=["owner", "state"], name="lead_owner_state"),
            models.Index(fields=["team", "state", "resolve_deadline"], name="lead_team_deadline"),
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
        return reverse("leads:detail", args=[self.pk])

    @property
    def masked_phone(self) -> str:
        """Return the phone with its middle digits hidden, as the public pool shows it."""
        digits = self.phone_key or self.phone
        if len(digits) < 7:
            return "*" * len(digits)
        return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


class Collision(models.Model):
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


class LeadImport(models.Model):
    """An uploaded CSV, kept between its preview and its commit so the manager commits exactly what they saw."""

    team = models.ForeignKey("crm.Team", on_delete=models.PROTECT, related_name="+", verbose_name=_("team"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    file_name = models.CharField(_("file"), max_length=255)
    encoding = models.CharField(_("encoding"), max_length=20)
    content = models.TextField()
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    committed_at = models.DateTimeField(_("committed at"), null=True, blank=True)
    added_count = models.PositiveIntegerField(_("leads added"), default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("lead import")
        verbose_name_plural = _("lead imports")

    def __str__(self):
        return self.file_name


class Proposal(models.Model):
    lead = models.ForeignKey(Lead, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("lead"))
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
    lead = models.ForeignKey(Lead, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("customer"))
    number = models.CharField(_("contract number"), max_length=50, unique=True)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2)
    signed_on = models.DateField(_("signed on"))
    term_months = models.PositiveIntegerField(_("term (months)"))
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("rep")
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        ordering = ["-signed_on", "-pk"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        indexes = [models.Index(fields=["signed_on"], name="contract_signed_on")]

    def __str__(self):
        return self.number


class Payment(models.Model):
    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="payments", verbose_name=_("contract")
    )
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2)
    received_on = models.DateField(_("received on"))
    method = models.CharField(_("method"), max_length=10, choices=PaymentMethod.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        ordering = ["received_on", "pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        indexes = [models.Index(fields=["received_on"], name="payment_received_on")]

    def __str__(self):
        return f"{self.contract} ¥{self.amount}"
