"""Moving a lead between states: the one place that knows what each state means for a lead's fields.

Every move is a conditional UPDATE on the state the caller read (so of two people acting at once exactly one
wins) and writes its lead event in the same transaction. The bulk jobs (allocation, reclaim) build their SQL SET
lists from `fields_entering` too, so a lead entering a state looks the same whoever moved it.
"""

from datetime import datetime

from core.models import TeamPolicy, User
from leads.deadlines import deadlines_from
from leads.models import Lead, LeadEvent, LeadState, Stage

# Owned and inside the pools' rules: timers run (assigned) or the cap counts (private).
OPEN_STATES = (LeadState.ASSIGNED, LeadState.PRIVATE)
# Owned by a rep who works the deal.
WORKING_STATES = (*OPEN_STATES, LeadState.CUSTOMER)

_NO_TIMERS = {
    "follow_up_deadline": None,
    "resolve_deadline": None,
    "follow_up_reminded_for": None,
    "resolve_reminded_for": None,
}


def fields_entering(
    state: str,
    *,
    now: datetime,
    owner: User | None = None,
    policy: TeamPolicy | None = None,
    close_reason: str = "",
    close_note: str = "",
) -> dict:
    """Return the fields a lead takes when it enters `state` at `now`.

    - public: nobody's; no timers, no follow-up, no private time (back in the pool, as if new to whoever takes it);
    - assigned: `owner`'s, both timers restarted from `now` by the team's `policy`, no follow-up yet;
    - private: kept by its owner; no deadlines, the idle clock starts;
    - customer: its owner's for good, outside every pool and timer;
    - closed: nobody's, with the reason; the deal is closed too.
    """
    if state == LeadState.PUBLIC:
        fields = {"owner": None, "assigned_at": None, "last_follow_up_at": None, "private_since": None, **_NO_TIMERS}
        fields |= {"close_reason": "", "close_note": ""}
    elif state == LeadState.ASSIGNED:
        fields = {"owner": owner, "last_follow_up_at": None, "private_since": None, **_NO_TIMERS}
        fields |= deadlines_from(policy, now) if policy is not None else {"assigned_at": now}
    elif state == LeadState.PRIVATE:
        fields = {"private_since": now, **_NO_TIMERS}
    elif state == LeadState.CUSTOMER:
        fields = {"private_since": None, **_NO_TIMERS}
    elif state == LeadState.CLOSED:
        fields = {"owner": None, "assigned_at": None, "last_follow_up_at": None, "private_since": None, **_NO_TIMERS}
        fields |= {"stage": Stage.CLOSED, "close_reason": close_reason, "close_note": close_note[:200]}
    else:
        raise ValueError(f"unknown lead state {state!r}")
    return {"state": state, "updated_at": now, **fields}


def event_for(
    lead: Lead,
    *,
    kind: str,
    to_state: str,
    to_owner_id: int | None,
    at: datetime,
    actor: User | None = None,
    job: str = "",
    reason: str = "",
    reason_code: str = "",
    details: dict | None = None,
) -> LeadEvent:
    """Return an unsaved event describing `lead` (as it was read) moving to `to_state` and `to_owner_id`."""
    return LeadEvent(
        lead_id=lead.pk,
        team_id=lead.team_id,
        kind=kind,
        actor=actor,
        job=job,
        from_state=lead.state,
        to_state=to_state,
        from_owner_id=lead.owner_id,
        to_owner_id=to_owner_id,
        reason=(reason or "")[:255],
        reason_code=reason_code,
        details=details,
        created_at=at,
    )


def record_event(lead: Lead, **fields) -> LeadEvent:
    event = event_for(lead, **fields)
    event.save()
    return event


def move_lead(
    lead: Lead,
    to_state: str,
    *,
    kind: str,
    now: datetime,
    expect: dict | None = None,
    actor: User | None = None,
    job: str = "",
    reason: str = "",
    reason_code: str = "",
    details: dict | None = None,
    extra: dict | None = None,
    **entering,
) -> bool:
    """Move `lead` (as the caller read it) into `to_state` if its row still matches `expect`; write the event.

    Return whether it moved: False means someone else changed the lead first, and nothing was written.
    """
    fields = fields_entering(to_state, now=now, **entering) | (extra or {})
    if not Lead.objects.filter(pk=lead.pk, **(expect or {})).update(**fields):
        return False
    to_owner = lead.owner_id
    if "owner" in fields:
        to_owner = fields["owner"].pk if fields["owner"] is not None else None
    record_event(
        lead,
        kind=kind,
        to_state=to_state,
        to_owner_id=to_owner,
        at=now,
        actor=actor,
        job=job,
        reason=reason,
        reason_code=reason_code,
        details=details,
    )
    return True


def move_locked_leads(
    leads: list[Lead], to_state: str, *, kind_of, now: datetime, actor=None, job: str = "", reason: str = "", **entering
) -> None:
    """Move leads whose rows the caller has locked into `to_state` at once, one event each.

    `kind_of(lead)` names each lead's event (say, assigned from the pool or reassigned from a colleague).
    """
    if not leads:
        return
    fields = fields_entering(to_state, now=now, **entering)
    Lead.objects.filter(pk__in=[lead.pk for lead in leads]).update(**fields)
    to_owner = fields["owner"].pk if fields.get("owner") is not None else None
    LeadEvent.objects.bulk_create(
        event_for(
            lead,
            kind=kind_of(lead),
            to_state=to_state,
            to_owner_id=to_owner,
            at=now,
            actor=actor,
            job=job,
            reason=reason,
        )
        for lead in leads
    )


def sql_set_list(to_state: str, *, from_row: dict[str, str], **entering) -> tuple[str, dict]:
    """Return the SET list of a bulk UPDATE moving leads into `to_state`, and its parameters.

    Fields named in `from_row` take the given SQL expression (a column of the joined list of moves, such as
    `m.rep_id`); every other field takes the value `fields_entering` gives it.
    """
    assignments, params = [], {}
    for name, value in fields_entering(to_state, **entering).items():
        column = Lead._meta.get_field(name).column
        if name in from_row:
            assignments.append(f"{column} = {from_row[name]}")
        else:
            params[f"set_{name}"] = value.pk if isinstance(value, User) else value
            assignments.append(f"{column} = %(set_{name})s")
    return ", ".join(assignments), params
