import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.test import RequestFactory

from core.models import Membership, Role, Team, User
from devtools import demo
from leads.models import Lead


@pytest.fixture(scope="module")
def demo_organisation(django_db_setup, django_db_blocker):
    """The demo, seeded once for the tests of this module; each test's own changes are rolled back as usual."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", verbosity=0)
        yield
        transaction.set_rollback(True)


def test_seed_demo_builds_an_organisation_to_explore(demo_organisation, db):
    assert Team.objects.count() == 2
    assert Membership.objects.filter(role=Role.MANAGER).count() == 2
    assert Membership.objects.filter(role=Role.REP).count() == 12
    assert User.objects.filter(memberships__role=Role.QC).distinct().count() == 1
    assert Lead.objects.count() == 2000
    lead = Lead.objects.order_by("pk").first()
    assert lead.company_name.endswith("公司")
    assert lead.phone.isdigit()
    assert len(lead.phone) == 11
    assert lead.company_key
    assert lead.phone_key
    assert lead.address
    assert lead.industry
    assert lead.contact_name


def test_seed_demo_twice_creates_nothing_twice(demo_organisation, db):
    before = (User.objects.count(), Lead.objects.count(), Membership.objects.count())

    call_command("seed_demo", verbosity=0)

    assert (User.objects.count(), Lead.objects.count(), Membership.objects.count()) == before


def test_every_printed_demo_login_works(demo_organisation, db, capsys):
    call_command("seed_demo")
    printed = capsys.readouterr().out

    for username, role, _team in demo.logins():
        assert username in printed
        request = RequestFactory().post("/accounts/login/")
        user = authenticate(request, username=username, password=demo.DEMO_PASSWORD)
        assert user is not None
        assert user.role == role
