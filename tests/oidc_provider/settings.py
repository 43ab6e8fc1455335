"""A tiny OpenID Provider (django-oauth-toolkit) standing in for 广东省统一身份认证平台 in tests/test_oidc.py.

Started as its own process (``python -m django runserver --settings=tests.oidc_provider.settings``) with its own
SQLite file and RSA key, both in a temporary folder the test passes through the environment.
"""

import os
from pathlib import Path

SECRET_KEY = "oidc-provider-for-tests-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oauth2_provider",
    "tests.oidc_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "tests.oidc_provider.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["OP_DB"]}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
LOGIN_URL = "/login/"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Cookies are not port-scoped: the portal (live server on localhost) keeps sessionid/csrftoken, we rename ours.
SESSION_COOKIE_NAME = "op_sessionid"
CSRF_COOKIE_NAME = "op_csrftoken"

KEY_FILE = Path(os.environ["OP_RSA_KEY_FILE"])
# A second key, never used for signing: /wrong-jwks.json publishes it under the real key's kid.
OTHER_KEY_FILE = Path(os.environ["OP_OTHER_RSA_KEY_FILE"])
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": KEY_FILE.read_text(),
    "OAUTH2_VALIDATOR_CLASS": "tests.oidc_provider.validators.CreditCodeValidator",
    # Claims outside oidc_claim_scope are dropped: the credit code is released under its own scope.
    "SCOPES": {"openid": "OpenID", "profile": "Profile", "email": "Email", "company": "Unified social credit code"},
    "PKCE_REQUIRED": True,
}
