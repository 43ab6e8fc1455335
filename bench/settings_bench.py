"""Settings for the scale benchmark and the load script: production-like (DEBUG off) on a scratch database.

Set DATABASE_URL before importing. Differences from production, each for a reason:
- static files without the manifest (``collectstatic`` is not run for a scratch database);
- two factors, lockout and session limits off (the bench signs in with ``force_login`` or a password);
- no HTTPS redirect (the test client and the local gunicorn speak plain HTTP);
- mail goes nowhere.
"""

import os

for name, value in {
    "DEBUG": "false",
    "DEMO_MODE": "true",
    "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789abcdef",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "SECURE_SSL_REDIRECT": "false",
    "SECURE_HSTS_SECONDS": "0",
    "TWO_FACTOR_REQUIRED": "false",
    "AXES_ENABLED": "false",
    "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
}.items():
    os.environ.setdefault(name, value)

from greenfactory.settings import *  # noqa: E402, F403
from greenfactory.settings import STORAGES  # noqa: E402

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
