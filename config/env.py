"""Strict reading of settings from the environment.

django-environ parses the values; this wrapper refuses what it would silently misread (``DEBUG=maybe`` is False to
django-environ) and names the variable in every error, so a bad deployment fails at start-up with a message an
operator can act on.
"""

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import environ
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on", "y"}
FALSE_WORDS = {"0", "false", "no", "off", "n", ""}
DATABASE_SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql", "psql"}
EMAIL_SCHEMES = {"smtp", "smtps", "smtp+tls", "smtp+ssl", "consolemail", "filemail", "memorymail", "dummymail"}
INSECURE_DEVELOPMENT_KEY = "django-insecure-development-only-key-never-use-in-production-0123456789"


class EnvConfig:
    def __init__(self, *, env_file: Path | None = None):
        self.env = environ.Env()
        if env_file is not None and env_file.exists():
            environ.Env.read_env(str(env_file), overwrite=False)

    def _raw(self, name: str) -> str | None:
        value = self.env.str(name, default=None)
        return None if value is None else value.strip()

    def _fail(self, name: str, problem: str) -> ImproperlyConfigured:
        return ImproperlyConfigured(f"Environment variable {name}: {problem}")

    def text(self, name: str, *, default: str) -> str:
        value = self._raw(name)
        return default if value is None else value

    def boolean(self, name: str, *, default: bool) -> bool:
        value = self._raw(name)
        if value is None:
            return default
        if value.lower() in TRUE_WORDS:
            return True
        if value.lower() in FALSE_WORDS:
            return False
        raise self._fail(name, f"{value!r} is not a boolean; use true or false.")

    def integer(self, name: str, *, default: int) -> int:
        value = self._raw(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            raise self._fail(name, f"{value!r} is not a whole number.") from None
        if number < 0:
            raise self._fail(name, f"{value!r} must not be negative.")
        return number

    def list_of(self, name: str, *, default: list[str]) -> list[str]:
        value = self._raw(name)
        if value is None:
            return default
        return [item.strip() for item in value.split(",") if item.strip()]

    def secret_key(self, name: str, *, debug: bool) -> str:
        value = self._raw(name)
        if value:
            if not debug and (len(value) < 50 or len(set(value)) < 5):
                raise self._fail(name, "must be at least 50 characters with at least 5 different ones.")
            return value
        if debug:
            return INSECURE_DEVELOPMENT_KEY
        raise self._fail(name, "is required when DEBUG is off.")

    def time_zone(self, name: str, *, default: str) -> str:
        value = self._raw(name) or default
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise self._fail(name, f"{value!r} is not a known time zone, e.g. Asia/Shanghai.") from None
        return value

    def database(self, name: str, *, default: str) -> dict:
        value = self._raw(name) or default
        scheme = value.split("://", 1)[0] if "://" in value else ""
        if scheme not in DATABASE_SCHEMES:
            raise self._fail(name, f"unsupported URL {value!r}; use postgres://user@host:port/name or sqlite:///path.")
        try:
            parsed = environ.Env.db_url_config(value)
        except (ImproperlyConfigured, ValueError) as error:
            raise self._fail(name, f"cannot be parsed ({error}).") from None
        if not parsed.get("NAME"):
            raise self._fail(name, "names no database.")
        return parsed

    def email(self, name: str, *, default: str) -> dict:
        value = self._raw(name) or default
        scheme = value.split("://", 1)[0] if "://" in value else ""
        if scheme not in EMAIL_SCHEMES:
            raise self._fail(name, f"unsupported URL {value!r}; use smtp://user:password@host:port or consolemail://.")
        try:
            return environ.Env.email_url_config(value)
        except (ImproperlyConfigured, ValueError) as error:
            raise self._fail(name, f"cannot be parsed ({error}).") from None

    def redis_url(self, name: str) -> str | None:
        value = self._raw(name)
        if not value:
            return None
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise self._fail(name, f"{value!r} is not a Redis URL; use redis://host:6379/0.")
        return value
