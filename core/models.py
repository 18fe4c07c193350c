from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    REP = "rep", _("Rep")
    MANAGER = "manager", _("Manager")
    QC = "qc", _("QC")
    ADMIN = "admin", _("Admin")


class User(AbstractUser):
    name = models.CharField(_("name"), max_length=100, blank=True, help_text=_("The name colleagues know you by."))
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.name or self.get_username()

    @cached_property
    def role(self) -> str | None:
        """Return the user's role: a superuser is an admin, anyone else has the role of their memberships."""
        if self.is_superuser:
            return Role.ADMIN
        membership = self.memberships.order_by("pk").first()
        return membership.role if membership else None

    def get_role_display(self) -> str:
        return Role(self.role).label if self.role else ""


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=settings.TIME_ZONE,
        help_text=_("Deadlines, cut-offs and the morning allocation follow this time zone."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self):
        return self.name

    def clean(self):
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError({"time_zone": _("Unknown time zone, e.g. Asia/Shanghai.")}) from None


class Membership(models.Model):
    """A user's place in a team. A manager may run several teams; a rep belongs to one team at a time."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user"))
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("team"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    class Meta:
        ordering = ["team", "role", "user"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="membership_once_per_team"),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(role="rep"),
                name="rep_in_one_team",
                violation_error_message=_("A rep belongs to one team at a time."),
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.team} · {self.get_role_display()}"

    def clean(self):
        if self.user_id is None:
            return
        other_roles = set(
            Membership.objects.filter(user_id=self.user_id).exclude(pk=self.pk).values_list("role", flat=True)
        )
        if other_roles and other_roles != {self.role}:
            raise ValidationError(
                {"role": _("This user already has another role; a person has one role in every team.")}
            )


class Heartbeat(models.Model):
    """The last run of a periodic job, so /healthz can tell whether beat and the worker are alive."""

    name = models.CharField(max_length=50, unique=True)
    last_run_at = models.DateTimeField()

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self):
        return f"{self.name} @ {self.last_run_at:%Y-%m-%d %H:%M:%S}"


class Notification(models.Model):
    """A message to one user: a reminder, a reclaim, an allocation. Shown in the app, mailed when mail is set up."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("Deadline reminder")
        RECLAIMED = "reclaimed", _("Leads taken back")
        REASSIGNED = "reassigned", _("Leads given to you")
        TEAM_RECLAIMED = "team_reclaimed", _("Leads reclaimed in your team")
        ALLOCATED = "allocated", _("Morning allocation")
        INTEGRITY = "integrity", _("Integrity incident")
        TEAM_INTEGRITY = "team_integrity", _("Integrity incident in your team")

    # Rendered when shown, so each reader sees it in their own language.
    MESSAGES = {
        Kind.REMINDER: _("%(count)s of your leads reach a deadline within %(hours)s hours: %(companies)s"),
        Kind.RECLAIMED: _("%(count)s leads were taken back from you after a missed deadline: %(companies)s"),
        Kind.REASSIGNED: _("%(count)s leads taken back from colleagues were given to you: %(companies)s"),
        Kind.TEAM_RECLAIMED: _("%(count)s leads were reclaimed from your reps: %(reps)s"),
        Kind.ALLOCATED: _("%(count)s new leads were allocated to you today."),
        Kind.INTEGRITY: _(
            "QC checked your visit to %(company)s on %(day)s with the customer and found it falsified. The visit is "
            "voided and recorded as an integrity incident."
        ),
        Kind.TEAM_INTEGRITY: _("QC found %(rep)s's visit to %(company)s on %(day)s falsified; it is voided."),
    }

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("user"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    params = models.JSONField(_("details"), default=dict)
    created_at = models.DateTimeField(_("created at"), db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_unread"),
        ]

    def __str__(self):
        return f"{self.user}: {self.message[:40]}"

    @property
    def message(self) -> str:
        return str(self.MESSAGES[self.kind]) % self.params
