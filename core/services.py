"""Domain operations on team memberships and the health of the periodic jobs."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.models import Heartbeat, Membership, Role, Team, User


def record_heartbeat(*, name: str) -> Heartbeat:
    """Record that the periodic job `name` ran now."""
    heartbeat, _created = Heartbeat.objects.update_or_create(name=name, defaults={"last_run_at": timezone.now()})
    return heartbeat


def add_member(*, actor: User, team: Team, user: User, role: str) -> Membership:
    """Put `user` into `team` with `role`; a person keeps one role everywhere and a rep has one team."""
    if actor.role != Role.ADMIN:
        raise DomainError(_("Only an admin can change team memberships."))
    if role not in Role.values:
        raise DomainError(_("Unknown role."))
    with transaction.atomic():
        # Lock the user's row so two admins adding the same person cannot give them two roles.
        User.objects.select_for_update().get(pk=user.pk)
        other_roles = set(Membership.objects.filter(user=user).exclude(team=team).values_list("role", flat=True))
        if other_roles and other_roles != {role}:
            raise DomainError(_("%(user)s already has another role.") % {"user": user})
        if role == Role.REP and Membership.objects.filter(user=user, role=Role.REP).exclude(team=team).exists():
            raise DomainError(_("%(user)s already belongs to another team; move them instead.") % {"user": user})
        membership, _created = Membership.objects.update_or_create(user=user, team=team, defaults={"role": role})
    user.__dict__.pop("role", None)
    user.__dict__.pop("first_membership", None)
    return membership


def move_rep(*, actor: User, rep: User, to_team: Team) -> Membership:
    """Move a rep to another team in one step, so they are never in two teams or none."""
    if actor.role != Role.ADMIN:
        raise DomainError(_("Only an admin can change team memberships."))
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(user=rep, role=Role.REP).first()
        if membership is None:
            raise DomainError(_("%(user)s is not a rep.") % {"user": rep})
        membership.team = to_team
        membership.save(update_fields=["team"])
    rep.__dict__.pop("first_membership", None)
    return membership
