"""Writing lead events: every change of owner or state leaves one, in the same transaction."""

from datetime import datetime

from pools.models import LeadEvent


def event_for(lead, *, kind, to_state, to_owner, at: datetime, actor=None, job="", reason="") -> LeadEvent:
    """Return an unsaved event describing `lead` (as it was read) moving to `to_state` and `to_owner`."""
    return LeadEvent(
        lead_id=lead.pk,
        kind=kind,
        actor=actor,
        job=job,
        from_state=lead.state,
        to_state=to_state,
        from_owner_id=lead.owner_id,
        to_owner=to_owner,
        reason=reason[:255],
        created_at=at,
    )


def record_event(lead, **fields) -> LeadEvent:
    event = event_for(lead, **fields)
    event.save()
    return event
