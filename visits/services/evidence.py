"""Evidence of a visit made at the door: the check-in, photos, and erasing both after the team's retention."""

import uuid
from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import require_rep_team
from core.calendar import local_day, zone_of
from core.errors import DomainError
from core.models import Team, User
from core.policy import active_policies
from visits.models import (
    CheckIn,
    PhotoKind,
    Visit,
    VisitPhoto,
)
from visits.photos import read_photo
from visits.selectors import lead_open_for_visit
from visits.services.entry import clean_location, is_locked


def check_in(*, actor: User, lead_id: int, location: tuple = (None, None, None)) -> CheckIn:
    """Record that the rep is at the door of one of their leads, now, where the phone says."""
    team = require_rep_team(actor)
    latitude, longitude, accuracy = clean_location(*location)
    if latitude is None:
        raise DomainError(
            _("Your phone gave no position: allow this site to use your location, or log the visit without a check-in.")
        )
    lead = lead_open_for_visit(actor, lead_id)
    if lead is None or lead.owner_id != actor.pk:
        raise DomainError(_("Check in at your own leads only."))
    now = timezone.now()
    return CheckIn.objects.create(
        rep=actor,
        team=team,
        lead=lead,
        day=local_day(team, now),
        checked_in_at=now,
        latitude=latitude,
        longitude=longitude,
        accuracy_meters=accuracy,
    )


PHOTOS_PER_VISIT = 3


def add_photo(*, actor: User, visit: Visit, upload, kind: str) -> VisitPhoto:
    """Attach a photo to the rep's own visit while its entry is open; it is shrunk, stripped and fingerprinted."""
    if visit.rep_id != actor.pk:
        raise DomainError(_("Only the rep who entered a visit can add its photos."))
    if kind not in PhotoKind.values:
        raise DomainError(_("Choose what the photo shows."))
    if visit.is_voided or is_locked(visit):
        raise DomainError(_("Photos are added while the day's entry is open."))
    photo = read_photo(upload, zone_of(visit.team))
    with transaction.atomic():
        Visit.objects.select_for_update().filter(pk=visit.pk).first()
        if VisitPhoto.objects.filter(visit=visit).count() >= PHOTOS_PER_VISIT:
            raise DomainError(_("A visit keeps at most %(count)s photos.") % {"count": PHOTOS_PER_VISIT})
        return VisitPhoto.objects.create(
            visit=visit,
            team_id=visit.team_id,
            kind=kind,
            file=ContentFile(photo.content, name=f"{uuid.uuid4().hex}.jpg"),
            width=photo.width,
            height=photo.height,
            fingerprint=photo.fingerprint,
            taken_at=photo.taken_at,
            latitude=photo.latitude,
            longitude=photo.longitude,
            uploaded_at=timezone.now(),
        )


def forget_old_positions(*, now: datetime | None = None) -> int:
    """Erase the positions of visits and check-ins, and the photos, older than each team's evidence retention;
    return how many rows were cleared. The visits, their counts and the fact of a check-in stay."""
    now = now or timezone.now()
    cleared = 0
    policies = active_policies()
    teams = Team.objects.in_bulk(list(policies))
    for team_id, policy in policies.items():
        before = local_day(teams[team_id], now) - timedelta(days=policy.evidence_retention_days)
        cleared += Visit.objects.filter(team_id=team_id, day__lt=before, latitude__isnull=False).update(
            latitude=None, longitude=None, accuracy_meters=None
        )
        cleared += CheckIn.objects.filter(team_id=team_id, day__lt=before, latitude__isnull=False).update(
            latitude=None, longitude=None, accuracy_meters=None
        )
        for photo in VisitPhoto.objects.filter(team_id=team_id, visit__day__lt=before):
            photo.file.delete(save=False)
            photo.delete()
            cleared += 1
    return cleared
