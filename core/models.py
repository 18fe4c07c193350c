from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from core.choices import ChoiceLabels


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
        return self.shown_as(self.name, self.get_username())

    @staticmethod
    def shown_as(name: str, username: str) -> str:
        """How a user is named on every page; also for lists read as plain values, without user objects."""
        return name or username

    @cached_property
    def first_membership(self) -> "Membership | None":
        """The user's first membership with its team, read once per request: it gives the role, and a rep's team."""
        return first_membership_of(self.pk).first()

    @cached_property
    def team_ids(self) -> list[int]:
        """The ids of the teams the user is a member of, read once per request (a manager's pages scope by them)."""
        return list(self.memberships.order_by("team_id").values_list("team_id", flat=True))

    @cached_property
    def role(self) -> str | None:
        """Return the user's role: a superuser is an admin, anyone else has the role of their memberships."""
        if self.is_superuser:
            return Role.ADMIN
        return self.first_membership.role if self.first_membership else None

    def get_role_display(self) -> str:
        return Role(self.role).label if self.role else ""


class Team(ChoiceLabels):
    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=settings.TIME_ZONE,
        help_text=_("Deadlines, cut-offs and the morning allocation follow this time zone."),
    )
    # What the team's group chats are written in (each person reads the app in their own language).
    language = models.CharField(
        _("language of group messages"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
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


class Membership(ChoiceLabels):
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


def first_membership_of(user_id) -> "models.QuerySet[Membership]":
    """The membership that gives a user their role and, for a rep, their team: the first one, with team and rules."""
    return Membership.objects.filter(user_id=user_id).select_related("team__policy").order_by("pk")


class TeamPolicy(models.Model):
    """A team's rules: every timer, cap, quota, target and QC rate of DESIGN.md, with its default."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="policy", verbose_name=_("team"))

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
    open_assigned_cap = models.PositiveIntegerField(
        _("open assigned leads per rep, at most"),
        default=150,
        db_default=150,
        validators=[MinValueValidator(1), MaxValueValidator(5000)],
        help_text=_("The allocation gives a rep no more than this many assigned leads to work at once."),
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
    evidence_retention_days = models.PositiveIntegerField(
        _("keep positions of visits and check-ins (days)"),
        default=180,
        db_default=180,
        validators=[MinValueValidator(7), MaxValueValidator(3650)],
        help_text=_("Older positions are erased (checked every hour); the visits and the fact of a check-in stay."),
    )
    position_radius_meters = models.PositiveIntegerField(
        _("check-in radius around a lead (m)"),
        default=300,
        db_default=300,
        validators=[MinValueValidator(50), MaxValueValidator(10_000)],
        help_text=_(
            "A check-in farther than this from the lead's known position, beyond the phone's accuracy, is a QC signal."
        ),
    )

    class Meta:
        verbose_name = _("team policy")
        verbose_name_plural = _("team policies")

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


class Heartbeat(models.Model):
    """The last run of a periodic job, so /healthz can tell whether beat and the worker are alive."""

    name = models.CharField(max_length=50, unique=True)
    last_run_at = models.DateTimeField()

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self):
        return f"{self.name} @ {self.last_run_at:%Y-%m-%d %H:%M:%S}"


class Notification(ChoiceLabels):
    """A message to one user: a reminder, a reclaim, an allocation. Shown in the app, mailed when mail is set up."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("Deadline reminder")
        RECLAIMED = "reclaimed", _("Leads taken back")
        REASSIGNED = "reassigned", _("Leads given to you")
        TEAM_RECLAIMED = "team_reclaimed", _("Leads reclaimed in your team")
        ALLOCATED = "allocated", _("Morning allocation")
        INTEGRITY = "integrity", _("Integrity incident")
        TEAM_INTEGRITY = "team_integrity", _("Integrity incident in your team")
        HOOK_PAUSED = "hook_paused", _("Webhook paused")

    # Rendered when shown, so each reader sees it in their own language.
    MESSAGES = {
        Kind.REMINDER: ngettext_lazy(
            "%(count)s of your leads reaches a deadline within %(hours)s hours: %(companies)s",
            "%(count)s of your leads reach a deadline within %(hours)s hours: %(companies)s",
            "count",
        ),
        Kind.RECLAIMED: ngettext_lazy(
            "%(count)s lead was taken back from you after a missed deadline: %(companies)s",
            "%(count)s leads were taken back from you after a missed deadline: %(companies)s",
            "count",
        ),
        Kind.REASSIGNED: ngettext_lazy(
            "%(count)s lead taken back from a colleague was given to you: %(companies)s",
            "%(count)s leads taken back from colleagues were given to you: %(companies)s",
            "count",
        ),
        Kind.TEAM_RECLAIMED: ngettext_lazy(
            "%(count)s lead was reclaimed from your reps: %(reps)s",
            "%(count)s leads were reclaimed from your reps: %(reps)s",
            "count",
        ),
        Kind.ALLOCATED: ngettext_lazy(
            "%(count)s new lead was allocated to you today.",
            "%(count)s new leads were allocated to you today.",
            "count",
        ),
        Kind.INTEGRITY: _(
            "QC checked your visit to %(company)s on %(day)s with the customer and found it falsified. The visit is "
            "voided and recorded as an integrity incident."
        ),
        Kind.TEAM_INTEGRITY: _("QC found %(rep)s's visit to %(company)s on %(day)s falsified; it is voided."),
        Kind.HOOK_PAUSED: _(
            "The webhook to %(url)s failed %(count)s times in a row and is paused. Fix the receiver, then resume it "
            "on the integrations page."
        ),
    }

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("user"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    params = models.JSONField(_("details"), default=dict)
    created_at = models.DateTimeField(_("created at"), db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # The mail outbox: written with the notification, in its transaction; the worker sends it and notes when.
    is_mail_due = models.BooleanField(_("to be mailed"), default=False)
    mailed_at = models.DateTimeField(_("mailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_unread"),
            models.Index(fields=["created_at"], condition=models.Q(is_mail_due=True), name="notification_mail_due"),
        ]

    def __str__(self):
        return f"{self.user}: {self.message[:40]}"

    @property
    def message(self) -> str:
        return self.MESSAGES[self.kind] % self.params


class JobRun(ChoiceLabels):
    """One run of a scheduled job: when, how long, what came of it; the operator's log of the beat jobs."""

    class Outcome(models.TextChoices):
        OK = "ok", _("Done")
        FAILED = "failed", _("Failed")

    job = models.CharField(_("job"), max_length=60)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    count = models.IntegerField(_("items handled"), null=True, blank=True)
    problem = models.CharField(_("problem"), max_length=255, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        indexes = [
            models.Index(fields=["job", "-started_at"], name="jobrun_latest"),
            models.Index(fields=["started_at"], name="jobrun_age"),
        ]

    def __str__(self):
        return f"{self.job} {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"

    @property
    def seconds(self) -> float:
        return (self.finished_at - self.started_at).total_seconds()
