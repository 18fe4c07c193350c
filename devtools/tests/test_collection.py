"""CI runs what pytest collects: an app whose tests are left out of `testpaths` would pass CI without running them
(the API's, the webhooks' and the backups' tests once did)."""

import configparser
from pathlib import Path

from django.conf import settings


def test_every_apps_tests_are_collected():
    config = configparser.ConfigParser()
    config.read(Path(settings.BASE_DIR) / "pytest.ini")
    collected = set(config["pytest"]["testpaths"].split())
    with_tests = {
        folder.parent.name
        for folder in Path(settings.BASE_DIR).glob("*/tests")
        if any(folder.glob("test_*.py")) and folder.parent.name != ".venv"
    }

    assert with_tests - collected == set()
    assert "api" in with_tests  # the glob itself finds the apps
