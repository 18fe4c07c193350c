"""Reads of leads scoped to what a user may see."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from core.access import managed_team_ids, rep_team, scope_to_user
from core.models import Role, User
from leads.models import Collision, Lead, LeadEvent, LeadImport, LeadState


def visible_leads(user: User) -> QuerySet[Lead]:
    """Return the leads `user` may open: a rep their own and their team's public pool; managers and QC their teams'."""
    leads = scope_to_user(Lead.objects.all(), user)
    team = rep_team(user) if user.is_authenticated and user.role == Role.REP else None
    if team is not None:
        leads = leads | Lead.objects.filter(state=LeadState.PUBLIC, team=team)
    return leads


def get_lead_for(user: User, pk) -> Lead:
    """Return a lead `user` may open, with its team (and the policy its timers run by) and owner; any other lead is
    simply not found."""
    return get_object_or_404(visible_leads(user).select_related("team__policy", "owner"), pk=pk)


def shows_contact(user: User, lead: Lead) -> bool:
    """Whether `user` sees the lead's contact details: the public pool hides them until someone claims the lead.

    The same rule serves the lead's proposal files (`deals.selectors.get_proposal_for`)."""
    return lead.pk in set(scope_to_user(Lead.objects.filter(pk=lead.pk), user).values_list("pk", flat=True))


def history_of(lead: Lead) -> QuerySet[LeadEvent]:
    return LeadEvent.objects.filter(lead=lead).select_related("actor", "from_owner", "to_owner")


def collisions_for(team_ids) -> QuerySet[Collision]:
    """Return the collisions on leads of the given teams, newest first, with the cold visits that found them."""
    return (
        Collision.objects.filter(lead__team__in=team_ids)
        .select_related("lead", "owner", "attempted_by")
        .prefetch_related("visits")
    )


def get_import_for(user: User, pk) -> LeadImport:
    """Return an uploaded file of a team `user` manages; any other is not found."""
    return get_object_or_404(LeadImport.objects.select_related("team"), pk=pk, team__in=managed_team_ids(user))
