"""Settings for the field-sales CRM, read from the environment (see README.md)."""

from pathlib import Path

from csp.constants import NONE, SELF

from config.env import EnvConfig

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)
(VAR_DIR / "staticfiles").mkdir(exist_ok=True)

env = EnvConfig(env_file=BASE_DIR / ".env")

DEBUG = env.boolean("DEBUG", default=False)
SECRET_KEY = env.secret_key("SECRET_KEY", debug=DEBUG)
ALLOWED_HOSTS = env.list_of("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list_of("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Floors from the ground up: each app imports only the ones above it in this list.
    "core",
    "hooks",
    "leads",
    "pools",
    "deals",
    "visits",
    "qc",
    "reports",
    "api",
    "ops",
    "devtools",
]

MIDDLEWARE = [
    # First: the request id and the counts cover every answer, redirects and refusals included.
    "core.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.TeamTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Axes must come last so it sees every failed login the views above produced.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

# Covering indexes (INCLUDE) are for PostgreSQL, the system of record; SQLite builds them on their key columns.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.database("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE makes concurrent writers wait for the lock instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000;",
        }
    )
    # Tests on a file, not in memory: a worker thread then sees the same tables, and a test can really close the
    # connection (Django ignores closing an in-memory database) to take the database away.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    # A connection per request costs more than most pages' queries; keep it for a minute, checked before reuse so
    # a restarted database is reconnected instead of failing the next request. 0 behind PgBouncer if it prefers.
    DATABASES["default"]["CONN_MAX_AGE"] = env.integer("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if env.text("DATABASE_POOLER", default="") == "pgbouncer":
        # Transaction pooling hands the server connection to another client after each transaction: no cursor or
        # prepared statement may outlive one (deploy/pgbouncer/pgbouncer.ini says why).
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# "crm" is the label of the core app (see core/apps.py).
AUTH_USER_MODEL = "crm.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's model backend, reading the user with their membership (one query a page instead of two).
    "core.auth.MemberBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env.time_zone("TIME_ZONE", default="Asia/Shanghai")
USE_TZ = True

MEDIA_ROOT = VAR_DIR / "media"  # uploaded proposals, served only through a permission-checking view
MEDIA_URL = "media/"
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Tests and `runserver` serve straight from the app folders; gunicorn serves the collected, hashed files.
WHITENOISE_USE_FINDERS = DEBUG

# Widgets render through Jinja2 (Django ships the same widget templates for it): the visit form with its list of
# leads renders in half the time.
FORM_RENDERER = "django.forms.renderers.Jinja2"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: console output unless EMAIL_URL names a server.
EMAIL_ENABLED = bool(env.text("EMAIL_URL", default=""))
EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.text("DEFAULT_FROM_EMAIL", default="crm@localhost")

# Redis is broker and cache when REDIS_URL is set; otherwise nothing needs a server.
REDIS_URL = env.redis_url("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    _broker_dir = VAR_DIR / "celery" / "broker"
    _processed_dir = VAR_DIR / "celery" / "processed"
    _control_dir = VAR_DIR / "celery" / "control"
    for _folder in (_broker_dir, _processed_dir, _control_dir):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_processed_dir),
        # Exchange bindings and the worker's control channel; without this kombu writes them to ./control.
        "control_folder": str(_control_dir),
        "store_processed": False,
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "core.tasks.heartbeat_task", "schedule": 60.0},
    # Mail still due: what could not be queued while the broker was down goes out when it is back.
    "mail": {"task": "core.notifications.mail_due_notifications_task", "schedule": 60.0},
    # Every minute: a lead is taken back within a minute of its deadline, whatever the team's time zone.
    "reclaim": {"task": "pools.tasks.reclaim_task", "schedule": 60.0},
    "remind": {"task": "pools.tasks.remind_task", "schedule": 60.0},
    # Each team's own allocation time (08:00 local by default) is checked every minute.
    "allocate": {"task": "pools.tasks.allocate_due_teams_task", "schedule": 60.0},
    # Yesterday's QC sample, at each team's own draw time (09:00 local by default).
    "qc-draw": {"task": "qc.tasks.draw_due_teams_task", "schedule": 60.0},
    # Positions of visits and check-ins older than each team's retention are erased (hourly: a day is never late).
    "forget-positions": {"task": "visits.tasks.forget_old_positions_task", "schedule": 3600.0},
    # Webhooks and group-chat messages still due (retries with backoff, or queued while the broker was down).
    "deliver-hooks": {"task": "hooks.tasks.deliver_due_task", "schedule": 60.0},
    # Each team's evening summary to its managers' group chat, at the time the team set.
    "group-summaries": {"task": "reports.tasks.post_due_summaries_task", "schedule": 60.0},
}
# The REST API (/api/v1/): per-user tokens, JSON only, cursor pages, a request allowance per token.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": env.text("API_RATE", default="120/min")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Field-sales CRM API",
    "DESCRIPTION": "Send `Authorization: Bearer <token>` (make a token under your name, API tokens). "
    'Errors are JSON: {"detail": "…"}, in the language of Accept-Language.',
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from our own static files: the docs work on an intranet with no internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # The docs page is read by a signed-in person; the schema and docs use the session, the API itself the token.
    "SERVE_AUTHENTICATION": ["rest_framework.authentication.SessionAuthentication"],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
}
# Webhooks and group bots may post to addresses on this machine or the private network only when allowed (tests,
# an intranet receiver); otherwise a manager could make the server post to internal services.
HOOKS_ALLOW_PRIVATE_ADDRESSES = env.boolean("HOOKS_ALLOW_PRIVATE_ADDRESSES", default=DEBUG)
# /healthz calls the heartbeat stale after this many seconds (beat runs it every 60).
HEARTBEAT_STALE_AFTER_SECONDS = 180

# Production hardening; each can be turned off from the environment behind a TLS-terminating proxy.
BEHIND_TLS_PROXY = env.boolean("BEHIND_TLS_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
SECURE_SSL_REDIRECT = env.boolean("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Sessions in the database, read through a compiled statement on every request.
SESSION_ENGINE = "core.sessions"
SESSION_COOKIE_SECURE = env.boolean("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.boolean("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Only our own files run: no inline script, no CDN (the front-end is vendored under static/).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # Bootstrap draws its icons as data: SVG in CSS
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOG_FORMAT = env.text("LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "core.logs.RequestContextFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s u%(user_id)s] %(message)s"},
        "json": {"()": "core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": env.text("LOG_LEVEL", default="INFO")},
    # Axes reports every login at INFO; lockouts (WARNING) are what an operator needs.
    "loggers": {"axes": {"level": "WARNING"}},
}
# Scrapers of /metrics send "Authorization: Bearer <METRICS_TOKEN>"; unset, /metrics is not there (404).
METRICS_TOKEN = env.text("METRICS_TOKEN", default="")
# Where `manage.py backup` writes its backups, one folder each.
BACKUP_DIR = env.text("BACKUP_DIR", default=str(VAR_DIR / "backups"))
# Set, each backup is also shipped to this S3-compatible bucket (credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).
BACKUP_BUCKET = env.text("BACKUP_BUCKET", default="")
BACKUP_S3_ENDPOINT_URL = env.text("BACKUP_S3_ENDPOINT_URL", default="")  # MinIO, OSS, COS …; empty for AWS
BACKUP_S3_REGION = env.text("BACKUP_S3_REGION", default="")
BACKUP_S3_PREFIX = env.text("BACKUP_S3_PREFIX", default="crm-backups")
