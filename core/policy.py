"""Reading the team policy: every team runs on its own rules, created with DESIGN.md's defaults on first use."""

from core.models import Team, TeamPolicy


def _loaded(team: Team) -> TeamPolicy | None:
    """The policy read with its team (select_related), if it was."""
    return team._state.fields_cache.get("policy")


def _read_or_create(team_ids: set[int]) -> dict[int, TeamPolicy]:
    """The policies of the teams by team id; the missing ones created with the defaults in one statement, which a
    concurrent first use of the same team cannot make fail."""
    policies = {policy.team_id: policy for policy in TeamPolicy.objects.filter(team_id__in=team_ids)}
    missing = [TeamPolicy(team_id=team_id) for team_id in team_ids - set(policies)]
    if missing:
        TeamPolicy.objects.bulk_create(missing, ignore_conflicts=True)
        policies = {policy.team_id: policy for policy in TeamPolicy.objects.filter(team_id__in=team_ids)}
    return policies


def policy_for(team: Team) -> TeamPolicy:
    """Return the team's policy, creating it with the defaults on first use.

    A team read with its policy (a user's membership is, once per request) gives it without another query.
    """
    loaded = _loaded(team)
    if loaded is not None:
        return loaded
    return _read_or_create({team.pk})[team.pk]


def policies_of(teams: list[Team]) -> dict[int, TeamPolicy]:
    """Each team's policy by team id: those read with their team as they came, the others in one query, a missing
    one created with the defaults."""
    policies = {team.pk: _loaded(team) for team in teams if _loaded(team) is not None}
    unread = {team.pk for team in teams} - set(policies)
    return policies | _read_or_create(unread) if unread else policies


def active_policies() -> dict[int, TeamPolicy]:
    """Return every active team's policy by team id, creating the missing ones with their defaults."""
    return _read_or_create(set(Team.objects.filter(is_active=True).values_list("pk", flat=True)))
