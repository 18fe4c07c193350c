import pytest

from core.access import rep_team, scope_to_user, teams_of
from core.models import Role
from leads.models import Lead, LeadState


def make_lead(team, owner=None, name="杭州华鑫商贸有限公司"):
    state = LeadState.ASSIGNED if owner else LeadState.PUBLIC
    return Lead.objects.create(team=team, owner=owner, state=state, company_name=name, company_key=name)


@pytest.fixture
def leads(team, other_team, owner, teammate, outsider):
    return {
        "owner": make_lead(team, owner, "owner's"),
        "teammate": make_lead(team, teammate, "teammate's"),
        "public": make_lead(team, None, "public"),
        "outsider": make_lead(other_team, outsider, "outsider's"),
    }


def visible(user):
    return set(scope_to_user(Lead.objects.all(), user).values_list("company_name", flat=True))


def test_a_rep_sees_only_the_rows_they_own(leads, owner, teammate, outsider):
    assert visible(owner) == {"owner's"}
    assert visible(teammate) == {"teammate's"}
    assert visible(outsider) == {"outsider's"}


def test_a_manager_sees_every_row_of_their_teams_and_nothing_of_others(leads, manager, other_manager):
    assert visible(manager) == {"owner's", "teammate's", "public"}
    assert visible(other_manager) == {"outsider's"}


def test_a_manager_of_two_teams_sees_both(leads, manager, other_team):
    from core.tests.factories import MembershipFactory

    MembershipFactory(user=manager, team=other_team, role=Role.MANAGER)

    assert visible(manager) == {"owner's", "teammate's", "public", "outsider's"}


def test_qc_sees_the_rows_of_the_teams_it_audits(leads, qc_user):
    assert visible(qc_user) == {"owner's", "teammate's", "public"}


def test_an_admin_sees_everything(leads, admin_user):
    assert len(visible(admin_user)) == 4


def test_a_deactivated_user_or_one_without_a_role_sees_nothing(leads, owner, manager):
    from core.tests.factories import UserFactory

    manager.is_active = False
    manager.save()

    assert visible(manager) == set()
    assert visible(UserFactory(username="nobody")) == set()


def test_teams_of_a_rep_is_their_one_team(owner, team, other_team, admin_user):
    assert list(teams_of(owner)) == [team]
    assert rep_team(owner) == team
    assert set(teams_of(admin_user)) == {team, other_team}
