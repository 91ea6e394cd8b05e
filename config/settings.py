"""Settings, read from the environment. Every variable is documented in the README."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name, "")
    return float(value) if value.strip() else default


DEBUG = env_bool("DJANGO_DEBUG", False)


def secret_key_from_env() -> str:
    """DJANGO_SECRET_KEY, else a random key kept in `.secret_key` (never committed).

    The file keeps sessions valid across restarts and shared by every process of one checkout,
    without a guessable default key.
    """
    key = os.environ.get("DJANGO_SECRET_KEY", "")
    if key:
        return key
    path = BASE_DIR / ".secret_key"
    if not path.exists():
        # Write aside, then link into place: atomic, so concurrent first starts agree on one key.
        tmp = path.with_name(f".secret_key.{os.getpid()}")
        tmp.write_text(secrets.token_urlsafe(50))
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()


SECRET_KEY = secret_key_from_env()

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks_db",
    "django_eventstream",
    "accounts",
    "live",
    "transcription",
    "maintenance",
    "audit",
]
CSRF_FAILURE_VIEW = "maintenance.views.csrf_failure"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.StaffOnlyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def database_from_env() -> dict:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        url = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    config = dj_database_url.parse(url, conn_max_age=0)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers and one writer work at once; IMMEDIATE takes the write lock up
        # front so that a read that later writes never fails with "database is locked".
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": env_float("SQLITE_BUSY_TIMEOUT", 20.0),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        # Tests use a file, not :memory:, so that real worker and daphne processes share it.
        config["TEST"] = {
            "NAME": os.environ.get("DJANGO_TEST_DATABASE_NAME", str(BASE_DIR / "test_db.sqlite3"))
        }
    elif config["ENGINE"] == "django.db.backends.postgresql":
        # A bounded pool per process: open streams borrow a connection only while they read.
        config["OPTIONS"] = {
            "pool": {
                "min_size": 1,
                "max_size": int(env_float("DB_POOL_MAX_SIZE", 10)),
                "timeout": env_float("DB_POOL_TIMEOUT", 30.0),
            }
        }
    return config


DATABASES = {"default": database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "transcription", "commands"],
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/jobs/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": os.environ.get("MEDIA_ROOT", str(BASE_DIR / "media"))},
    },
    # No manifest: a fresh checkout serves its static files without a collectstatic step.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# WhiteNoise serves static files in production mode too, from the app folders when
# collectstatic has not been run.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

REDIS_URL = os.environ.get("REDIS_URL", "")

# Live events: django-eventstream's database storage is the bus (see live/services.py).
EVENTSTREAM_STORAGE_CLASS = "live.storage.StreamStorage"
EVENTSTREAM_CHANNELMANAGER_CLASS = "live.channels.StaffChannelManager"
EVENTSTREAM_ALLOW_ORIGINS: list[str] = []
LIVE_POLL_INTERVAL = env_float("LIVE_POLL_INTERVAL", 0.05)
# Open streams run their synchronous parts (session, auth, storage reads) on this many shared
# threads instead of one thread each (see live/asgi.py).
LIVE_STREAM_THREADS = max(1, int(env_float("LIVE_STREAM_THREADS", 4)))
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }

# Transcription
TRANSCRIPTION_ENGINE = os.environ.get(
    "TRANSCRIPTION_ENGINE", "transcription.engines.PocketSphinxEngine"
)
TRANSCRIPTION_MAX_SECONDS = env_float("TRANSCRIPTION_MAX_SECONDS", 600.0)
TRANSCRIPTION_MAX_UPLOAD_MB = env_float("TRANSCRIPTION_MAX_UPLOAD_MB", 100.0)
# A processing job whose worker has not reported for this long is failed as abandoned.
TRANSCRIPTION_STALE_AFTER = env_float("TRANSCRIPTION_STALE_AFTER", 60.0)

# Command bus
COMMANDS_MAX_RUNNING = int(env_float("COMMANDS_MAX_RUNNING", 4))
COMMAND_TIMEOUTS = {
    "default": env_float("COMMAND_TIMEOUT", 30.0),
    "retry-job": env_float("COMMAND_TIMEOUT_RETRY_JOB", 30.0),
    "delete-job": env_float("COMMAND_TIMEOUT_DELETE_JOB", 30.0),
}
# A running command whose lease ran out (its worker died) is ended as abandoned by the next
# sweep: within COMMAND_LEASE_SECONDS + SWEEP_INTERVAL (70 s by default).
COMMAND_LEASE_SECONDS = env_float("COMMAND_LEASE_SECONDS", 60.0)
COMMAND_QUEUE_TIMEOUT = env_float("COMMAND_QUEUE_TIMEOUT", 300.0)

SWEEP_INTERVAL = env_float("SWEEP_INTERVAL", 10.0)
PERIODIC_SWEEPS = [
    "transcription.services.fail_abandoned_jobs",
    "maintenance.bus.sweep_abandoned_commands",
]

JOBS_PAGE_SIZE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

if not DEBUG:
    SESSION_COOKIE_HTTPONLY = True
    CSRF_COOKIE_HTTPONLY = False  # htmx and scripts read it to send X-CSRFToken
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"
