"""Settings, read from environment variables (12-factor) with embedded defaults for development.

With no environment at all the portal runs on SQLite under ``var/`` with Celery on kombu's
filesystem transport, so a newcomer needs no services. Production sets ``DATABASE_URL``,
``REDIS_URL``, ``SECRET_KEY``, ``ALLOWED_HOSTS`` and ``DEBUG=false``.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
# Demo mode allows the seed command and shows demo logins on the login page; never in production.
DEMO_MODE = env.bool("DEMO_MODE", default=DEBUG)
SECRET_KEY = env(
    "SECRET_KEY",
    default="django-insecure-development-only-key-do-not-use-in-production" if DEBUG else environ.Env.NOTSET,
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "bootstrap",
    "django_bootstrap5",
    "django_htmx",
    "django_filters",
    "accounts",
    "applications",
    "reviews",
    "registry",
    "workdays",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "greenfactory.urls"

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
                "django.template.context_processors.i18n",
                "accounts.context_processors.portal",
            ],
        },
    },
]

WSGI_APPLICATION = "greenfactory.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a writer instead of failing at once when the web process and the worker overlap.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Simplified Chinese first, English available (DEVELOPERS.md).
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)

# Bootstrap comes from the django-bootstrap-static package (app "bootstrap") and is served locally.
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploaded evidence and reports are private: no MEDIA_URL is routed; files are served by scoped views.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

BOOTSTRAP5 = {
    "css_url": {"url": "/static/bootstrap/css/bootstrap.min.css"},
    "javascript_url": {"url": "/static/bootstrap/js/bootstrap.bundle.min.js"},
    "set_placeholder": False,
}

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="greenfactory@localhost")

# Celery: Redis when configured, else the filesystem transport (no service needed).
REDIS_URL = env("REDIS_URL", default="")
CELERY_FS_DIR = VAR_DIR / "celery"
for _folder in ("queue", "control"):
    (CELERY_FS_DIR / _folder).mkdir(parents=True, exist_ok=True)
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FS_DIR / "queue"),
        "data_folder_out": str(CELERY_FS_DIR / "queue"),
        "control_folder": str(CELERY_FS_DIR / "control"),
        "polling_interval": 0.2,
    }
# The cache holds the public forms' rate-limit counters (greenfactory/ratelimit.py): Redis when configured,
# so every worker shares them, else each process's memory.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "gf"}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Per client address: (attempts, seconds). Submissions count objections and reports together.
RATELIMITS = {"public-submit": (5, 3600), "track": (20, 3600)}
# Behind a proxy, the META key of the header it sets to the client's address (e.g. "HTTP_X_REAL_IP");
# empty: REMOTE_ADDR only. Never trust X-Forwarded-For unless the proxy overwrites it.
RATELIMIT_CLIENT_IP_HEADER = env("RATELIMIT_CLIENT_IP_HEADER", default="")
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Deadline sweeps (times are Asia/Shanghai). Each is idempotent; see greenfactory/sweeps.py.
CELERY_BEAT_SCHEDULE = {
    "close-recommendation-window": {  # 第十五条
        "task": "greenfactory.sweeps.lapse_unrecommended",
        "schedule": crontab(minute=5, hour=0, day_of_month=31, month_of_year=5),
    },
    "recommendation-reminders": {  # 14 and 3 days before 30 May
        "task": "greenfactory.sweeps.recommendation_reminders",
        "schedule": crontab(minute=0, hour=9, day_of_month="16,27", month_of_year=5),
    },
    "clear-ended-publicity": {  # 第十七条, each working day (the sweep skips other days)
        "task": "greenfactory.sweeps.clear_ended_publicity",
        "schedule": crontab(minute=30, hour=0),
    },
    "annual-form-reminders": {  # 第十九条
        "task": "greenfactory.sweeps.annual_form_reminders",
        "schedule": crontab(minute=0, hour=9, day_of_month="1,10", month_of_year=3),
    },
    "annual-forms-overdue": {  # 第十九条, 第二十一条第（二）项
        "task": "greenfactory.sweeps.mark_overdue_annual_forms",
        "schedule": crontab(minute=10, hour=0, day_of_month=16, month_of_year=3),
    },
    "open-due-rechecks": {  # 第二十一条
        "task": "greenfactory.sweeps.open_due_rechecks",
        "schedule": crontab(minute=0, hour=1),
    },
    "lift-expired-bars": {  # 第十二条第（三）项, 第二十五条
        "task": "greenfactory.sweeps.lift_expired_bars",
        "schedule": crontab(minute=10, hour=1),
    },
    "rectification-due": {  # 第二十一条, 第二十五条: ordered rectifications are verified
        "task": "greenfactory.sweeps.rectification_due",
        "schedule": crontab(minute=20, hour=1),
    },
    "scoring-reminders": {  # 第十七条: experts, 3 days and 1 day before the round's scoring deadline, and overdue
        "task": "greenfactory.sweeps.scoring_reminders",
        "schedule": crontab(minute=0, hour=9),
    },
}

PORTAL_NAME = _("Green Manufacturing Gradient Cultivation Platform")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "greenfactory": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    },
}

if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
