"""Reading the team policy: every team runs on its own rules, created with DESIGN.md's defaults on first use."""

from core.models import Team, TeamPolicy


def policy_for(team: Team) -> TeamPolicy:
    """Return the team's policy, creating it with the defaults on first use.

    A team read with its policy (a user's membership is, once per request) gives it without another query.
    """
    loaded = team._state.fields_cache.get("policy")
    if loaded is not None:
        return loaded
    policy, _created = TeamPolicy.objects.get_or_create(team=team)
    return policy


def policies_of(teams: list[Team]) -> dict[int, TeamPolicy]:
    """Each team's policy by team id: those read with their team as they came, the others in one query, a missing
    one created with the defaults."""
    policies = {}
    for team in teams:
        loaded = team._state.fields_cache.get("policy")
        if loaded is not None:
            policies[team.pk] = loaded
    unread = [team for team in teams if team.pk not in policies]
    if unread:
        policies.update((policy.team_id, policy) for policy in TeamPolicy.objects.filter(team__in=unread))
        policies.update((team.pk, policy_for(team)) for team in unread if team.pk not in policies)
    return policies


def active_policies() -> dict[int, TeamPolicy]:
    """Return every active team's policy by team id, creating the missing ones with their defaults."""
    teams = set(Team.objects.filter(is_active=True).values_list("pk", flat=True))
    policies = {policy.team_id: policy for policy in TeamPolicy.objects.filter(team_id__in=teams)}
    missing = [TeamPolicy(team_id=team_id) for team_id in teams - set(policies)]
    if missing:
        TeamPolicy.objects.bulk_create(missing, ignore_conflicts=True)
        policies = {policy.team_id: policy for policy in TeamPolicy.objects.filter(team_id__in=teams)}
    return policies
