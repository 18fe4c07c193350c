from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.choices import ChoiceLabels
from core.links import path_to


class VisitMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone follow-up")


class PersonRole(models.TextChoices):
    OWNER = "owner", _("Owner / boss")
    EXECUTIVE = "executive", _("Executive")
    MANAGER = "manager", _("Department manager")
    STAFF = "staff", _("Staff")
    RECEPTIONIST = "receptionist", _("Receptionist")
    OTHER = "other", _("Other")


DECISION_MAKERS = (PersonRole.OWNER, PersonRole.EXECUTIVE)


class Outcome(models.TextChoices):
    EFFECTIVE = "effective", _("Effective")
    POTENTIAL = "potential", _("Potential customer")


class NotCounted(models.TextChoices):
    """Why a visit that was made counts for no target (it is kept, and shown, all the same)."""

    REPEAT = "repeat", _("Another visit to the same company that day")
    COLLISION = "collision", _("A colleague's lead: counts once the manager accepts it")
    REJECTED = "rejected", _("A colleague's lead: the manager did not accept it")


class Visit(ChoiceLabels):
    """One visit or phone follow-up as the rep entered it. Never deleted; a falsified one is voided by QC."""

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visits", verbose_name=_("rep")
    )
    team = models.ForeignKey("crm.Team", on_delete=models.PROTECT, related_name="visits", verbose_name=_("team"))
    lead = models.ForeignKey(
        "leads.Lead", on_delete=models.PROTECT, null=True, blank=True, related_name="visits", verbose_name=_("lead")
    )
    company_name = models.CharField(_("company"), max_length=200)
    day = models.DateField(_("day"), help_text=_("The day of the visit in the team's time zone."))
    occurred_at = models.DateTimeField(_("when it happened"))
    entered_at = models.DateTimeField(_("when it was entered"))
    mode = models.CharField(_("mode"), max_length=10, choices=VisitMode.choices, default=VisitMode.IN_PERSON)
    person_met = models.CharField(_("person met"), max_length=100, blank=True)
    person_role = models.CharField(_("their role"), max_length=12, choices=PersonRole.choices)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    notes = models.TextField(_("notes"), blank=True)
    next_step = models.CharField(_("next step"), max_length=255, blank=True)
    building = models.CharField(_("building"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    # What the rep typed on a cold visit, kept on the visit itself: when the company turns out to be a colleague's
    # lead the visit has no lead to read a contact from, and QC still has to call someone.
    # How far the phone's clock was from the server's when the entry was sent (seconds, + = phone ahead): a phone
    # set to another time is how a day's entries are made to look as if made on the spot.
    device_clock_skew = models.IntegerField(_("phone clock difference (s)"), null=True, blank=True)
    # An entry made offline: the id the phone gave it (a replay is answered with this visit, never a second one)
    # and when it was saved on the phone, by the phone's clock.
    client_id = models.UUIDField(_("id on the phone"), null=True, blank=True)
    saved_on_phone_at = models.DateTimeField(_("saved on the phone at"), null=True, blank=True)
    contact_name = models.CharField(_("contact entered"), max_length=100, blank=True)
    phone = models.CharField(_("phone entered"), max_length=50, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    accuracy_meters = models.PositiveIntegerField(_("accuracy (m)"), null=True, blank=True)
    is_cold = models.BooleanField(_("cold visit"), default=False)
    created_lead = models.BooleanField(_("created a new lead"), default=False)
    is_follow_up = models.BooleanField(_("counted as the lead's follow-up"), default=False)
    is_late = models.BooleanField(_("entered after the cut-off"), default=False)
    is_voided = models.BooleanField(_("voided"), default=False)
    collision = models.ForeignKey(
        "leads.Collision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("collision"),
        help_text=_("The colleague's lead this cold visit found."),
    )
    not_counted = models.CharField(
        _("why it does not count"), max_length=12, blank=True, default="", choices=NotCounted.choices
    )
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    sampled_at = models.DateTimeField(_("sampled by QC at"), null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [
            models.Index(fields=["team", "day"], name="visit_team_day"),
            models.Index(fields=["rep", "day"], name="visit_rep_day"),
            # The visit lists, newest first, read a page off these without sorting a year of a team's visits.
            models.Index(fields=["rep", "-occurred_at", "-id"], name="visit_rep_recent"),
            models.Index(fields=["team", "-occurred_at", "-id"], name="visit_team_recent"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["rep", "client_id"], condition=models.Q(client_id__isnull=False), name="visit_sent_once"
            ),
        ]

    def __str__(self):
        return f"{self.company_name} · {self.day}"

    def get_absolute_url(self):
        return path_to("visits:detail", self.pk)

    def webhook_data(self) -> dict:
        """What a webhook is told of a visit (no contact details: they stay in the CRM)."""
        return {
            "visit": self.pk,
            "lead": self.lead_id,
            "company": self.company_name,
            "rep": self.rep_id,
            "day": self.day.isoformat(),
            "occurred_at": self.occurred_at.isoformat(),
            "mode": self.mode,
            "outcome": self.outcome,
            "is_cold": self.is_cold,
            "is_late": self.is_late,
        }

    @property
    def is_effective(self) -> bool:
        return self.outcome == Outcome.EFFECTIVE


class RepDay(models.Model):
    """A rep's visits of one day as `visits.counting` counts them, kept current in the transaction of every act that
    writes a visit (`counting.add_to_rep_days`), so a four-week dashboard of a 5,000-rep team reads 140,000 of these
    instead of 1,120,000 visits. A day with no visit at all has no row."""

    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey("crm.Team", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    visits = models.IntegerField(default=0)  # every visit entered, voided ones too: the day was worked
    in_person = models.IntegerField(default=0)
    effective = models.IntegerField(default=0)
    cold = models.IntegerField(default=0)
    phone = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rep", "team", "day"], name="one_count_per_rep_day")]
        indexes = [models.Index(fields=["team", "day"], name="repday_team_day")]

    def __str__(self):
        return f"{self.rep_id} {self.day}: {self.in_person}/{self.effective}"


class VisitAmendment(models.Model):
    """A change to a visit made after its entry closed (or once QC sampled it): who, when, what, why."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="amendments", verbose_name=_("visit"))
    amended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    amended_at = models.DateTimeField(_("when"))
    changes = models.JSONField(_("changes"), help_text=_("field: [old value, new value]"))
    reason = models.CharField(_("why"), max_length=255)

    class Meta:
        ordering = ["amended_at", "pk"]
        verbose_name = _("visit amendment")
        verbose_name_plural = _("visit amendments")

    def __str__(self):
        return f"{self.visit_id} @ {self.amended_at:%Y-%m-%d %H:%M}"


class VisitPlan(models.Model):
    """A lead a rep means to visit on a day, and why."""

    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="visit_plans")
    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="+", verbose_name=_("lead"))
    day = models.DateField(_("day"))
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    # The rep's own order of the day's visits (their route); new plans go to the end.
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("planned at"), auto_now_add=True)

    class Meta:
        ordering = ["day", "position", "pk"]
        verbose_name = _("visit plan")
        verbose_name_plural = _("visit plans")
        constraints = [models.UniqueConstraint(fields=["rep", "day", "lead"], name="plan_lead_once_a_day")]

    def __str__(self):
        return f"{self.rep} {self.day}: {self.lead_id}"


class DailyNote(models.Model):
    """A rep's win and difficulty of the day, shared at the evening meeting."""

    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="daily_notes")
    team = models.ForeignKey("crm.Team", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    win = models.CharField(_("win of the day"), max_length=300, blank=True)
    difficulty = models.CharField(_("difficulty of the day"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("daily note")
        verbose_name_plural = _("daily notes")
        constraints = [models.UniqueConstraint(fields=["rep", "day"], name="one_note_a_day")]

    def __str__(self):
        return f"{self.rep} {self.day}"


class CheckIn(models.Model):
    """A rep at a customer's door, recorded with one tap: where (with the phone's accuracy), when, and which lead.

    The evening's entry of the visit attaches to it, so the visit carries evidence made on the spot."""

    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="check_ins")
    team = models.ForeignKey("crm.Team", on_delete=models.PROTECT, related_name="+")
    lead = models.ForeignKey("leads.Lead", on_delete=models.PROTECT, related_name="check_ins", verbose_name=_("lead"))
    day = models.DateField(_("day"))
    checked_in_at = models.DateTimeField(_("checked in at"))
    # Erased after the team's evidence retention (the check-in itself, and its time, stay).
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    accuracy_meters = models.PositiveIntegerField(_("accuracy (m)"), null=True, blank=True)
    visit = models.OneToOneField(
        Visit, on_delete=models.SET_NULL, null=True, blank=True, related_name="check_in", verbose_name=_("visit")
    )

    class Meta:
        ordering = ["-checked_in_at"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        indexes = [models.Index(fields=["rep", "lead", "day"], name="check_in_rep_lead_day")]

    def __str__(self):
        return f"{self.rep} @ {self.lead_id} {self.checked_in_at:%Y-%m-%d %H:%M}"


class PhotoKind(models.TextChoices):
    STOREFRONT = "storefront", _("Storefront")
    CARD = "card", _("Business card")
    ROOM = "room", _("Meeting room")


class VisitPhoto(ChoiceLabels):
    """A photo taken at a visit: the storefront, a business card, the meeting room. Seen by the rep, their manager
    and QC only; erased with the team's other evidence after its retention."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos", verbose_name=_("visit"))
    team = models.ForeignKey("crm.Team", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("what it shows"), max_length=12, choices=PhotoKind.choices)
    file = models.FileField(_("photo"), upload_to="photos/%Y/%m/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    fingerprint = models.CharField(_("fingerprint"), max_length=16, db_index=True)
    taken_at = models.DateTimeField(_("taken at (camera)"), null=True, blank=True)
    latitude = models.DecimalField(_("latitude (camera)"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude (camera)"), max_digits=9, decimal_places=6, null=True, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")

    def __str__(self):
        return f"{self.visit_id} {self.kind}"
