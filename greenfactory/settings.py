"""Settings, read from environment variables (12-factor) with embedded defaults for development.

With no environment at all the portal runs on SQLite under ``var/`` with Celery on kombu's
filesystem transport, so a newcomer needs no services. Production sets ``DATABASE_URL``,
``REDIS_URL``, ``SECRET_KEY``, ``ALLOWED_HOSTS`` and ``DEBUG=false``.
"""

from datetime import timedelta
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
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "security",
    "identity",
    "audit",
    "exports",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "registry.page_cache.AnonymousPublicPageCacheMiddleware",  # whole public pages for anonymous visitors
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.TodoCountsMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "audit.middleware.AuditMiddleware",
    "audit.middleware.SeparationOfDutiesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "applications.middleware.TransitionRefusalMiddleware",
    "security.middleware.SessionLimitsMiddleware",
    "security.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last (django-axes)
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

# Widgets in Jinja2 where Django ships a Jinja2 template, else Django's engine (greenfactory/form_renderer.py).
FORM_RENDERER = "greenfactory.form_renderer.FastFormRenderer"

WSGI_APPLICATION = "greenfactory.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Keep a connection per worker thread for a minute instead of one per request (a PostgreSQL connection costs
# milliseconds to open; under load that was a large part of a page); a broken one is replaced before use.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a writer instead of failing at once when the web process and the worker overlap.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # GB/T 22239-2019 8.1.4.1 a: length by role, three of four character classes, no reuse (security/validators.py).
    {"NAME": "security.validators.RoleMinimumLengthValidator", "OPTIONS": {"staff_length": 12, "other_length": 8}},
    {"NAME": "security.validators.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "security.validators.PasswordHistoryValidator", "OPTIONS": {"history": 5}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked account or address before any check
    "django.contrib.auth.backends.ModelBackend",
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
# Issue 14: a task a killed worker held unacknowledged is given to another worker after
# CELERY_VISIBILITY_TIMEOUT seconds (kombu's default is one hour). Trade-off: a task still running after that
# long is delivered a second time, so it must exceed the longest sweep run and every retry countdown
# (greenfactory/sweeps.py: at most 300 s); the sweeps are idempotent, so a second delivery changes nothing.
# Idle workers look for such tasks every CELERY_UNACKED_RESTORE_INTERVAL seconds (and when they start).
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=600)
CELERY_UNACKED_RESTORE_INTERVAL = env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=30)
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
        "unacked_restore_interval": CELERY_UNACKED_RESTORE_INTERVAL,
        "unacked_restore_throttle": 1,  # scan at every interval (kombu's default: every 10th)
    }
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
# Beat's record of the last runs: keep it on a volume (compose) so that a restart does not forget it.
CELERY_BEAT_SCHEDULE_FILENAME = env("CELERY_BEAT_SCHEDULE_FILENAME", default=str(VAR_DIR / "celerybeat-schedule"))
# Deadline sweeps (times are Asia/Shanghai). Each is idempotent and runs every day (issue 14): a tick lost while
# the broker was down is caught up the next day; the date-specific ones act on their dates only (or, for the
# 31 May lapse and the 16 March overdue flags, on any later day that still finds work). See greenfactory/sweeps.py.
CELERY_BEAT_SCHEDULE = {
    "close-recommendation-window": {  # 第十五条: from 31 May on, whatever was not recommended by 30 May
        "task": "greenfactory.sweeps.lapse_unrecommended",
        "schedule": crontab(minute=5, hour=0),
    },
    "recommendation-reminders": {  # 14 and 3 days before 30 May (the sweep acts on 16 and 27 May only)
        "task": "greenfactory.sweeps.recommendation_reminders",
        "schedule": crontab(minute=0, hour=9),
    },
    "clear-ended-publicity": {  # 第十七条, each working day (the sweep skips other days)
        "task": "greenfactory.sweeps.clear_ended_publicity",
        "schedule": crontab(minute=30, hour=0),
    },
    "annual-form-reminders": {  # 第十九条 (the sweep acts on 1 and 10 March only)
        "task": "greenfactory.sweeps.annual_form_reminders",
        "schedule": crontab(minute=5, hour=9),
    },
    "annual-forms-overdue": {  # 第十九条, 第二十一条第（二）项: from 16 March on, forms not filed by 15 March
        "task": "greenfactory.sweeps.mark_overdue_annual_forms",
        "schedule": crontab(minute=10, hour=0),
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
    "purge-audit-log": {  # 网络安全法第二十一条: audit rows older than AUDIT_RETENTION_DAYS (>= 180)
        "task": "greenfactory.sweeps.purge_audit_log",
        "schedule": crontab(minute=30, hour=2),
    },
    "expire-exports": {  # issue 13: background export files are deleted EXPORT_KEEP_DAYS after they were built
        "task": "greenfactory.sweeps.expire_exports",
        "schedule": crontab(minute=50, hour=2),
    },
    "erase-personal-data": {  # 个人信息保护法第十九条, 第四十七条: contact details after the retention period
        "task": "greenfactory.sweeps.erase_personal_data",
        "schedule": crontab(minute=40, hour=2),
    },
    "verify-audit": {  # issue 14: the transition log's hash chains and each dossier's state; the city is told
        "task": "greenfactory.sweeps.verify_audit",
        "schedule": crontab(minute=30, hour=3),
    },
    "send-outbox": {  # issue 14: queued and retried email (accounts/outbox.py); each commit also kicks it
        "task": "accounts.send_outbox",
        "schedule": timedelta(minutes=1),
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

# --- Issue 12: security audit log, separation of duties (三员分立), personal information -------------------
# 网络安全法第二十一条: network logs are kept no less than six months; a lower value is raised to 180 days.
AUDIT_RETENTION_DAYS = max(180, env.int("AUDIT_RETENTION_DAYS", default=180))
# 个人信息保护法第十九条, 第四十七条: days after a decided objection or report before the person's contact
# details are erased and the name masked.
PERSONAL_DATA_RETENTION_DAYS = env.int("PERSONAL_DATA_RETENTION_DAYS", default=365)
# The superuser is for installation (/admin/) only: refused in the business workspace. tests/conftest.py turns
# this off for the older tests that act as a superuser; tests/test_duties.py turns it on.
SUPERUSER_REFUSED_IN_WORKSPACE = env.bool("SUPERUSER_REFUSED_IN_WORKSPACE", default=True)

# --- Issue 12: unified identity (广东省统一身份认证平台, OpenID Connect; accounts/oidc.py) -----------------------
# Off by default: no button, no /accounts/oidc/ URLs, no backend. On: every endpoint, the client and the issuer
# must be set (check identity.E001). The ID token is RS256-signed and checked against the provider's JWKS;
# its iss must equal OIDC_OP_ISSUER and its aud the client id.
OIDC_ENABLED = env.bool("OIDC_ENABLED", default=False)
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_OP_ISSUER = env("OIDC_OP_ISSUER", default="")
OIDC_RP_SIGN_ALGO = env("OIDC_RP_SIGN_ALGO", default="RS256")
# Add the scope under which the platform releases the credit code claim.
OIDC_RP_SCOPES = env("OIDC_RP_SCOPES", default="openid profile")
OIDC_USE_PKCE = env.bool("OIDC_USE_PKCE", default=True)
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT", default=10)
# The userinfo claim holding the unit's 18-character unified social credit code (GB 32100-2015).
OIDC_CREDIT_CODE_CLAIM = env("OIDC_CREDIT_CODE_CLAIM", default="credit_code")
# A refused unified login goes back to the login page, which shows why.
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/"
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "accounts.oidc.CreditCodeOIDCBackend"]

# --- Issue 12: login protection and two factors (security/; GB/T 22239-2019 8.1.4.1 身份鉴别) -----------------
# django-axes locks an account (from any address) and, separately, an address (for any account) after
# AXES_FAILURE_LIMIT failures within AXES_COOLOFF_MINUTES; the lock ends by itself after that time or when the
# security administrator lifts it at /security/locks/. The client address is read as the rate limits read it.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "greenfactory.ratelimit.client_address"
AXES_LOCKOUT_CALLABLE = "security.views.lockout"
# Shown on the lockout page: whom to call to be unlocked (e.g. "市工业和信息化局信息中心 0755-00000000").
SECURITY_CONTACT = env("SECURITY_CONTACT", default="")
# Sessions end after SESSION_IDLE_TIMEOUT_MINUTES without a request and SESSION_ABSOLUTE_TIMEOUT_HOURS after
# signing in (security/middleware.py); the cookie lives no longer than the absolute limit.
SESSION_IDLE_TIMEOUT_MINUTES = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=30)
SESSION_ABSOLUTE_TIMEOUT_HOURS = env.int("SESSION_ABSOLUTE_TIMEOUT_HOURS", default=12)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT_HOURS * 3600
# Powerful roles (city, district, experts, the three administrators, superusers) sign in with a TOTP code or
# a recovery code; enrolment on first login (security/two_factor.py). tests/conftest.py turns it off for
# tests not marked "security".
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=True)
# The name authenticator apps show next to the code: the portal's name in the language of the enrolment page.
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="") or (lambda device: str(PORTAL_NAME))

# --- Issue 12: security headers (hardening; GB/T 22239-2019 8.1.4 安全计算环境) ----------------------------------
# Content-Security-Policy (django-csp 4): scripts and styles only from the portal's own static files: no
# inline <script>, no on*="" handlers, no style="" (templates use static/js/*.js and static/css/portal.css).
# CSP_REPORT_URI (env) adds a report-uri for violation reports.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
        **({"report-uri": [env("CSP_REPORT_URI")]} if env("CSP_REPORT_URI", default="") else {}),
    },
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = env("SECURE_REFERRER_POLICY", default="same-origin")
# HTTPS only in production (DEBUG=false): redirect, and HSTS for a year including subdomains. Preload is only a
# directive until the domain is submitted to the browsers' lists; on by default so `check --deploy` is clean.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
# Paths answered over plain HTTP too (regular expressions, e.g. a load balancer's health check).
SECURE_REDIRECT_EXEMPT = env.list("SECURE_REDIRECT_EXEMPT", default=[])
# Permissions-Policy (django-permissions-policy): the portal uses no device or sensor; all off.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}

# --- Issue 13: exports (streamed .xlsx, background jobs) and the public list's cache ------------------------
# An .xlsx export of more rows than this is built in the background (exports app) with a progress page.
EXPORT_BACKGROUND_ROWS = env.int("EXPORT_BACKGROUND_ROWS", default=20000)
# Days a background export's file is kept for its owner before the sweep deletes it.
EXPORT_KEEP_DAYS = env.int("EXPORT_KEEP_DAYS", default=7)
# Seconds a rendered page of the public list is kept in the cache (it is also dropped on publish and removal).
PUBLIC_LIST_CACHE_SECONDS = env.int("PUBLIC_LIST_CACHE_SECONDS", default=600)
# Whole public list pages kept for anonymous visitors (registry/page_cache.py), as long as the rows above.
PUBLIC_PAGE_CACHE = env.bool("PUBLIC_PAGE_CACHE", default=True)
# Seconds a user's 待办 and unread counts (the navigation badge) are kept between pages; 0 counts on every page.
# Their own actions and new notifications refresh them at once (accounts.todo.counts).
TODO_COUNTS_CACHE_SECONDS = env.int("TODO_COUNTS_CACHE_SECONDS", default=30)
# Seconds the dashboard's figures are shared by everyone of the same scope (the city, or one district) and year;
# the page shows when they were counted. 0 counts on every visit.
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=60)
# Seconds a list page's total ("N dossiers", the page links), and the ranking's order, are shared by requests asking
# the same query. Any save through the ORM forgets them at once; rows written in bulk by a sweep or an import show
# within this time. 0 counts and orders on every page (greenfactory/paging.py SharedCountPaginator, shared_keys).
LIST_COUNT_CACHE_SECONDS = env.int("LIST_COUNT_CACHE_SECONDS", default=30)

# --- Issue 13: chunked deadline sweeps and large imports (pool, national list) -------------------------------
# A sweep claims and commits its rows this many at a time: a crash loses at most one chunk.
SWEEP_CHUNK_SIZE = env.int("SWEEP_CHUNK_SIZE", default=500)
# Imports of more rows than this run in the background (a Celery task) with a progress page.
IMPORT_SYNC_ROWS = env.int("IMPORT_SYNC_ROWS", default=500)
# The largest sheet an import accepts (rows); above it the officer is asked to split the file.
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=20000)

# --- Issue 14: email leaves through the outbox (accounts/outbox.py), sent and retried by a Celery task ---------
# Seconds any one socket operation with the mail server may take (connect, each SMTP command).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=15)
OUTBOX_BATCH_SIZE = env.int("OUTBOX_BATCH_SIZE", default=100)  # emails per claim and SMTP connection
OUTBOX_BATCHES_PER_RUN = env.int("OUTBOX_BATCHES_PER_RUN", default=10)
# A worker holds claimed rows this long; a worker killed mid-batch leaves them due again after it.
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=900)
# After a failed attempt n: wait base · 2^(n−1) seconds, at most max; give up (status failed) after
# OUTBOX_MAX_ATTEMPTS attempts or once the email is OUTBOX_MAX_AGE_HOURS old.
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=60)
OUTBOX_RETRY_MAX_SECONDS = env.int("OUTBOX_RETRY_MAX_SECONDS", default=3600)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=30)
OUTBOX_MAX_AGE_HOURS = env.int("OUTBOX_MAX_AGE_HOURS", default=72)
# Tests only (tests/conftest.py): run the send task in this process after the commit, into mail.outbox.
OUTBOX_SEND_IN_PROCESS = False

# --- Issue 14: operations (operations/: /healthz, /readyz, /metrics, request ids, structured logs) -----------
INSTALLED_APPS = [*INSTALLED_APPS, "operations"]
# First: the request id (and its context for every log record), django-prometheus's timer, then the three
# endpoints answered before sessions, authentication, two factors, axes, the audit and the HTTPS and language
# redirects. django-prometheus's second half goes just before axes, which stays last.
MIDDLEWARE = [
    "operations.middleware.RequestIdMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "operations.middleware.OperationsEndpointsMiddleware",
    *MIDDLEWARE,
]
MIDDLEWARE.insert(
    MIDDLEWARE.index("axes.middleware.AxesMiddleware"), "django_prometheus.middleware.PrometheusAfterMiddleware"
)
# The META key of the request id set by the reverse proxy (X-Request-ID); used when it is 8-128 safe characters.
# Empty: every id is made here.
REQUEST_ID_HEADER = env("REQUEST_ID_HEADER", default="HTTP_X_REQUEST_ID")
# One line per request (method, path without query, status, duration); probes are logged only when they fail.
ACCESS_LOG = env.bool("ACCESS_LOG", default=True)
# Logs go to stdout: one JSON object per line in production (LOG_FORMAT=json), text in development.
LOG_FORMAT = env("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "operations.logging.JsonFormatter"},
        "text": {"()": "operations.logging.TextFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": LOG_FORMAT},
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        # Whatever DEBUG says: an unhandled exception is logged by django.request with its traceback.
        "django": {"handlers": [], "level": "INFO"},
        "greenfactory": {"handlers": [], "level": env("LOG_LEVEL", default="INFO")},
    },
}
# /readyz: the database aliases it queries and the timeout (seconds) of each check's query or connection.
READYZ_DATABASES = ["default"]
READYZ_TIMEOUT_SECONDS = env.int("READYZ_TIMEOUT_SECONDS", default=3)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database host that does not answer fails a request (and /readyz) within seconds, not minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )
# /metrics (Prometheus): from these addresses or networks (REMOTE_ADDR), or with "Authorization: Bearer
# <METRICS_TOKEN>". Behind the reverse proxy every request comes from the proxy: use the token, or do not route
# /metrics through the proxy.
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])
METRICS_TOKEN = env("METRICS_TOKEN", default="")
# The Celery queues whose depth /metrics reports.
METRICS_CELERY_QUEUES = env.list("METRICS_CELERY_QUEUES", default=["celery"])

# --- Issue 14: scaling out and backups (README "Operations") -------------------------------------------------
# Uploaded files: on this machine's disk (MEDIA_ROOT, the default; several web containers then share one volume),
# or on S3-compatible object storage with MEDIA_STORAGE=s3 (django-storages; private objects, presigned links
# are never handed out: files are read through the portal's scoped views with default_storage.open).
# Sessions are in the database (Django's default engine), the cache in Redis when REDIS_URL is set: any web
# instance serves any request.
MEDIA_STORAGE = env("MEDIA_STORAGE", default="filesystem")
if MEDIA_STORAGE == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env("AWS_S3_REGION_NAME", default="") or None,
            "access_key": env("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default="") or None,
            "location": env("AWS_LOCATION", default="media"),
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
            "addressing_style": env("AWS_S3_ADDRESSING_STYLE", default="") or None,
        },
    }
elif MEDIA_STORAGE != "filesystem":
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"MEDIA_STORAGE is “filesystem” or “s3”, not “{MEDIA_STORAGE}”")
# manage.py backup (bin/backup): where backup folders go and how many are kept.
BACKUP_DIR = Path(env("BACKUP_DIR", default=str(VAR_DIR / "backups")))
BACKUP_KEEP = env.int("BACKUP_KEEP", default=14)

# Issue 15: the daily email digest of the users who chose it (accounts.notifications.send_digests), at 18:00
# Asia/Shanghai; idempotent (what a digest included is marked), so a lost tick is caught up the next day.
CELERY_BEAT_SCHEDULE["daily-digest"] = {"task": "accounts.send_digests", "schedule": crontab(minute=0, hour=18)}

# Issue 15: "请选择" for empty choices, no green "valid" marks after a failed submit, required messages that name
# the field (greenfactory/form_rendering.py).
BOOTSTRAP5["field_renderers"] = {"default": "greenfactory.form_rendering.PortalFieldRenderer"}
