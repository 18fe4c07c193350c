import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k3y-for-the-deploy-check-" + "x9Q2#vLm8!pR4$tZ" * 3,
    "ALLOWED_HOSTS": "crm.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://crm.example.com",
    "DATABASE_URL": "postgres://crm@db.internal:5432/crm",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "EMAIL_URL": "smtp://crm:secret@mail.internal:587",
}
SETTING_NAMES = [
    *PRODUCTION,
    "TIME_ZONE",
    "SECURE_HSTS_SECONDS",
    "SECURE_SSL_REDIRECT",
    "BEHIND_TLS_PROXY",
    # The test session's own relaxations must not leak into a production process.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
]
IMPORT_SETTINGS = "from django.conf import settings as s"


def run_django(args, **variables):
    """Run manage.py in a fresh process with only `variables` set among the application's settings."""
    env = {name: value for name, value in os.environ.items() if name not in SETTING_NAMES}
    env |= {"DJANGO_SETTINGS_MODULE": "config.settings", **variables}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=60
    )


def test_check_deploy_reports_nothing_with_production_values():
    result = run_django(["check", "--deploy", "--fail-level", "DEBUG"], **PRODUCTION)

    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEBUG", "maybe"),
        ("DATABASE_URL", "mysql://root@localhost/crm"),
        ("DATABASE_URL", "not a url"),
        ("REDIS_URL", "http://localhost:6379"),
        ("TIME_ZONE", "Asia/Atlantis"),
        ("EMAIL_URL", "pigeon://loft"),
        ("SECURE_HSTS_SECONDS", "a year"),
        ("SECRET_KEY", "short"),
    ],
)
def test_a_bad_value_stops_start_up_with_a_message_naming_the_variable(name, value):
    result = run_django(["check"], **(PRODUCTION | {name: value}))

    assert result.returncode != 0
    assert f"Environment variable {name}:" in result.stderr


def test_secret_key_is_required_when_debug_is_off():
    variables = {name: value for name, value in PRODUCTION.items() if name != "SECRET_KEY"}

    result = run_django(["check"], **variables)

    assert result.returncode != 0
    assert "Environment variable SECRET_KEY: is required when DEBUG is off." in result.stderr


def test_without_any_variable_debug_mode_starts_on_sqlite_and_a_serverless_broker():
    result = run_django(
        [
            "shell",
            "--no-imports",
            "-c",
            "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL)",
        ],
        DEBUG="true",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "filesystem://"]


def test_redis_url_makes_redis_the_broker_and_the_cache():
    result = run_django(
        [
            "shell",
            "--no-imports",
            "-c",
            "from django.conf import settings as s; print(s.CELERY_BROKER_URL, s.CACHES['default']['BACKEND'])",
        ],
        DEBUG="true",
        REDIS_URL="redis://127.0.0.1:6379/3",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["redis://127.0.0.1:6379/3", "django.core.cache.backends.redis.RedisCache"]


def test_a_web_worker_starts_with_its_views_loaded_and_set_aside_from_the_garbage_collector():
    probe = (
        "import gc, sys; import config.wsgi; "
        "print(gc.get_freeze_count(), gc.get_threshold()[0], 'visits.views' in sys.modules)"
    )
    env = {name: value for name, value in os.environ.items() if name not in SETTING_NAMES}
    env |= {"DJANGO_SETTINGS_MODULE": "config.settings", **PRODUCTION}
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=60
    )
    frozen, young_threshold, views_loaded = result.stdout.split()
    assert int(frozen) > 50_000, result.stderr
    assert int(young_threshold) == 10_000
    assert views_loaded == "True"
