import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.choices import ChoiceLabels


class HookEvent(models.TextChoices):
    LEAD_CLAIMED = "lead.claimed", _("A lead was claimed from the pool")
    LEAD_RECLAIMED = "lead.reclaimed", _("A lead was reclaimed after a missed deadline")
    LEAD_ALLOCATED = "lead.allocated", _("A lead was allocated or assigned to a rep")
    VISIT_LOGGED = "visit.logged", _("A visit was logged")
    QC_FALSIFIED = "qc.falsified", _("QC found a visit falsified")
    CONTRACT_SIGNED = "contract.signed", _("A contract was signed")
    PAYMENT_RECEIVED = "payment.received", _("A payment was received")


def new_secret() -> str:
    return secrets.token_hex(32)


class Subscription(models.Model):
    """A team's webhook: the events it wants, posted to `url` and signed with `secret`."""

    team = models.ForeignKey("crm.Team", on_delete=models.CASCADE, related_name="+", verbose_name=_("team"))
    url = models.URLField(_("address"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(_("signing secret"), max_length=64, default=new_secret)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    failures_in_row = models.PositiveIntegerField(_("failed attempts in a row"), default=0)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)

    class Meta:
        ordering = ["team", "pk"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self):
        return self.url


class ChatPlatform(models.TextChoices):
    WECOM = "wecom", _("WeCom (企业微信)")
    DINGTALK = "dingtalk", _("DingTalk (钉钉)")
    LARK = "lark", _("Lark (飞书)")


class ChatPurpose(models.TextChoices):
    MANAGERS = "managers", _("Managers' group: evening summary and reclaim alerts")
    QC = "qc", _("QC group: integrity incidents")


class GroupChat(ChoiceLabels):
    """A group-chat bot of a team: the managers' group or the QC group, on one platform."""

    team = models.ForeignKey("crm.Team", on_delete=models.CASCADE, related_name="+", verbose_name=_("team"))
    purpose = models.CharField(_("group"), max_length=10, choices=ChatPurpose.choices)
    platform = models.CharField(_("platform"), max_length=10, choices=ChatPlatform.choices)
    url = models.URLField(_("bot webhook address"), max_length=500)
    # DingTalk's "加签" and Lark's "签名校验": the secret the platform shows when the bot is made.
    secret = models.CharField(_("signing secret"), max_length=200, blank=True)
    summary_time = models.TimeField(_("evening summary at"), null=True, blank=True)
    summary_posted_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("group chat")
        verbose_name_plural = _("group chats")
        constraints = [models.UniqueConstraint(fields=["team", "purpose"], name="one_group_chat_per_purpose")]

    def __str__(self):
        return f"{self.get_platform_display()}: {self.get_purpose_display()}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    DELIVERED = "delivered", _("Delivered")
    GIVEN_UP = "given_up", _("Given up")


class Delivery(ChoiceLabels):
    """One message in the outbox: written in the transaction of the change it tells, sent by the worker."""

    team = models.ForeignKey("crm.Team", on_delete=models.CASCADE, related_name="+", verbose_name=_("team"))
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    chat = models.ForeignKey(GroupChat, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries")
    event = models.CharField(_("event"), max_length=30)
    payload = models.JSONField(_("message"))
    created_at = models.DateTimeField(_("created at"))
    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus.choices, default="pending")
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    last_status_code = models.PositiveIntegerField(_("last answer"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=255, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=models.Q(status="pending"), name="delivery_due"),
            models.Index(fields=["team", "-created_at"], name="delivery_team_recent"),
        ]

    def __str__(self):
        return f"{self.event} #{self.pk}"
