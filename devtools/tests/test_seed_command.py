from django.core.management import call_command

from leads.models import Lead


def test_if_empty_leaves_a_database_with_users_alone(owner):
    call_command("seed_demo", if_empty=True, verbosity=0)

    assert not Lead.objects.exists()
