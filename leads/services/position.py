"""Where a lead's company is: set by a manager, or confirmed by QC from a rep's check-in (imports bring their own)."""

from django.utils.translation import gettext as _

from core.access import require_manager_of
from core.errors import DomainError
from core.models import User
from leads.models import Lead, PositionSource
from leads.values import position_of


def set_position(*, actor: User, lead: Lead, latitude, longitude) -> Lead:
    """A manager places the lead on the map (from the address, or from a visit they trust)."""
    require_manager_of(actor, lead.team_id)
    position = position_of({"latitude": latitude, "longitude": longitude})
    if position is None:
        raise DomainError(_("Enter the latitude and the longitude as numbers, e.g. 30.2741 and 120.1551."))
    Lead.objects.filter(pk=lead.pk).update(
        latitude=position[0], longitude=position[1], position_source=PositionSource.MANAGER
    )
    lead.latitude, lead.longitude, lead.position_source = *position, PositionSource.MANAGER
    return lead


def confirm_position_from_check_in(*, lead_id: int, latitude, longitude) -> bool:
    """Give a lead with no known position the one of a check-in that QC has confirmed with the customer."""
    return bool(
        Lead.objects.filter(pk=lead_id, latitude__isnull=True).update(
            latitude=latitude, longitude=longitude, position_source=PositionSource.CHECK_IN
        )
    )
