import pytest
from django.utils import translation

from deals.tests.test_money import contract  # noqa: F401 (a fixture these tests share)
from hooks.tests.receiver import start_receiver
from qc.tests.test_services import sampled  # noqa: F401 (a fixture these tests share)


@pytest.fixture
def receiver(settings):
    settings.HOOKS_ALLOW_PRIVATE_ADDRESSES = True
    receiver, server = start_receiver()
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def in_english():
    # The messages a test matches are the English ones; a team's group messages still follow the team's language.
    with translation.override("en"):
        yield
