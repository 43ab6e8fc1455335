"""Unified identity (广东省统一身份认证平台): OpenID Connect login against a real provider process.

The provider is django-oauth-toolkit (tests/oidc_provider/), started by ``provider`` as its own
``runserver`` process on 127.0.0.1 with its own SQLite file and RSA key. The portal is pytest-django's
live server on localhost (cookies are not port-scoped; two host names keep the two sessions apart).
One ``requests.Session`` plays the browser through the whole authorization-code flow with PKCE.
"""

import importlib
import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings as django_settings
from django.urls import NoReverseMatch, clear_url_caches, reverse
from django.utils import translation
from django.utils.html import escape

from accounts.models import Role, User
from accounts.oidc import NO_CREDIT_CODE, NOT_VERIFIED
from applications.credit_code import example_code
from applications.models import Organisation
from identity.models import LinkedIdentity
from identity.services import NOT_AN_APPLICANT, OTHER_ORGANISATION, UNKNOWN_ORGANISATION
from tests.conftest import make_dossier
from tests.factories import OrganisationFactory, UserFactory, district

# Lockout (axes first among the backends), session limits and two factors stay on, as in the product.
pytestmark = pytest.mark.security

BACKEND = "accounts.oidc.CreditCodeOIDCBackend"
CLIENT_ID, CLIENT_SECRET = "greenfactory-portal", "client-secret-for-tests"
PASSWORD = "provider-pw-2026"
REGISTERED = example_code(7001)  # the organisation the tests register in the portal
UNREGISTERED = example_code(7002)  # valid, but no organisation in the portal has it
PROVIDER_USERS = [
    {"username": "ent_a", "credit_code": REGISTERED, "name": "张经办"},
    {"username": "ent_unknown", "credit_code": UNREGISTERED, "name": "李经办"},
    {"username": "ent_staff", "credit_code": REGISTERED, "name": "王处长"},
    {"username": "ent_nocode", "credit_code": "", "name": "赵个人"},
]


@dataclass
class Provider:
    url: str
    subjects: dict

    @property
    def issuer(self):
        return f"{self.url}/o"


def _pem():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def provider(live_server, tmp_path_factory):
    """The test OpenID Provider as a process: keys and database in a temporary folder, always stopped."""
    folder = tmp_path_factory.mktemp("oidc_provider")
    (folder / "signing.pem").write_text(_pem())
    (folder / "other.pem").write_text(_pem())
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings",
        "OP_DB": str(folder / "provider.sqlite3"),
        "OP_RSA_KEY_FILE": str(folder / "signing.pem"),
        "OP_OTHER_RSA_KEY_FILE": str(folder / "other.pem"),
        "PYTHONUNBUFFERED": "1",
    }
    base_dir = str(django_settings.BASE_DIR)

    def manage(*args):
        return subprocess.run(
            [sys.executable, "-m", "django", *args], cwd=base_dir, env=env, check=True, capture_output=True, text=True
        ).stdout

    manage("migrate", "-v0")
    users = [{**spec, "password": PASSWORD} for spec in PROVIDER_USERS]
    subjects = json.loads(
        manage(
            "op_setup",
            f"--redirect-uri={live_server.url}/accounts/oidc/callback/",
            f"--client-id={CLIENT_ID}",
            f"--client-secret={CLIENT_SECRET}",
            f"--users={json.dumps(users)}",
        )
    )
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with open(folder / "provider.log", "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
            cwd=base_dir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                if process.poll() is not None:
                    raise RuntimeError("the provider stopped:\n" + (folder / "provider.log").read_text())
                try:
                    if requests.get(f"{url}/o/.well-known/openid-configuration", timeout=1).ok:
                        break
                except requests.ConnectionError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("the provider did not start:\n" + (folder / "provider.log").read_text())
                time.sleep(0.1)
            yield Provider(url=url, subjects=subjects)
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _reload_urls():
    """accounts/urls.py reads OIDC_ENABLED when imported; the root URLconf keeps its resolvers, so reload both."""
    import accounts.urls

    importlib.reload(accounts.urls)
    importlib.reload(importlib.import_module(django_settings.ROOT_URLCONF))
    clear_url_caches()


@pytest.fixture
def unified(settings, provider):
    """OIDC on, the portal pointed at the provider (what an operator sets in the environment)."""
    settings.OIDC_ENABLED = True
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, BACKEND]
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{provider.url}/o/authorize/"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{provider.url}/o/token/"
    settings.OIDC_OP_USER_ENDPOINT = f"{provider.url}/o/userinfo/"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{provider.url}/o/.well-known/jwks.json"
    settings.OIDC_OP_ISSUER = provider.issuer
    settings.OIDC_RP_SCOPES = "openid profile email company"
    _reload_urls()
    yield settings
    settings.OIDC_ENABLED = False
    _reload_urls()


@pytest.fixture
def registered(districts):
    """The enterprise the province vouches for, registered in the portal, with a dossier; and another one's."""
    organisation = OrganisationFactory(credit_code=REGISTERED, name="深圳市统一认证制造有限公司")
    other = OrganisationFactory(name="深圳市别家电子有限公司", district=district("futian"))
    return organisation, make_dossier(organisation), make_dossier(other)


def sign_in(live_server, provider, username):
    """The browser's way: the portal's button, the provider's login form, back to the portal."""
    session = requests.Session()
    response = session.get(f"{live_server.url}/accounts/oidc/authenticate/", params={"next": "/workspace/"}, timeout=10)
    assert response.url.startswith(f"{provider.url}/login/")
    authorize = parse_qs(urlparse(response.url).query)["next"][0]
    assert "code_challenge=" in authorize  # PKCE
    response = session.post(
        response.url,
        data={
            "username": username,
            "password": PASSWORD,
            "next": authorize,
            "csrfmiddlewaretoken": session.cookies["op_csrftoken"],
        },
        timeout=30,
    )
    return session, response


def chinese(message, **params):
    with translation.override("zh-hans"):
        text = str(message)
    return escape(text % params if params else text)


def test_login_page_offers_unified_identity_only_when_enabled(client, settings, provider):
    body = client.get(reverse("login")).content.decode()
    assert 'id="unified-login"' not in body
    with pytest.raises(NoReverseMatch):
        reverse("oidc_authentication_init")

    settings.OIDC_ENABLED = True
    _reload_urls()
    try:
        body = client.get(reverse("login")).content.decode()
        assert f'id="unified-login" href="{reverse("oidc_authentication_init")}"' in body
        assert 'name="password"' in body  # the password form stays for staff and the demo
    finally:
        settings.OIDC_ENABLED = False
        _reload_urls()


def test_first_login_creates_the_organisations_applicant_and_shows_its_dossiers_only(
    live_server, provider, unified, registered
):
    organisation, own, others = registered

    session, response = sign_in(live_server, provider, "ent_a")

    assert response.status_code == 200
    assert response.url == f"{live_server.url}/workspace/"
    link = LinkedIdentity.objects.select_related("user").get()
    assert (link.issuer, link.subject, link.credit_code) == (provider.issuer, provider.subjects["ent_a"], REGISTERED)
    user = link.user
    assert (user.role, user.organisation, user.last_name) == (Role.APPLICANT, organisation, "张经办")
    assert not user.has_usable_password()
    body = session.get(f"{live_server.url}/workspace/", timeout=10).content.decode()
    assert reverse("dossier_detail", args=[own.pk]) in body
    assert reverse("dossier_detail", args=[others.pk]) not in body
    assert session.get(f"{live_server.url}/dossiers/{others.pk}/", timeout=10).status_code == 404


def test_second_login_is_the_same_user(live_server, provider, unified, registered):
    sign_in(live_server, provider, "ent_a")
    users = User.objects.count()

    _session, response = sign_in(live_server, provider, "ent_a")

    assert response.url == f"{live_server.url}/workspace/"
    assert User.objects.count() == users
    assert LinkedIdentity.objects.count() == 1
    assert LinkedIdentity.objects.get().last_login_at is not None


def test_unknown_credit_code_is_refused_and_nothing_is_created(live_server, provider, unified, registered):
    users, organisations = User.objects.count(), Organisation.objects.count()

    session, response = sign_in(live_server, provider, "ent_unknown")

    assert response.url == f"{live_server.url}/accounts/login/"
    assert chinese(UNKNOWN_ORGANISATION, code=UNREGISTERED) in response.content.decode()
    assert (User.objects.count(), Organisation.objects.count()) == (users, organisations)
    assert not LinkedIdentity.objects.exists()
    assert session.get(f"{live_server.url}/workspace/", timeout=10).url.startswith(f"{live_server.url}/accounts/login/")


def test_no_credit_code_is_refused(live_server, provider, unified, registered):
    _session, response = sign_in(live_server, provider, "ent_nocode")

    assert response.url == f"{live_server.url}/accounts/login/"
    assert chinese(NO_CREDIT_CODE) in response.content.decode()
    assert not LinkedIdentity.objects.exists()


def test_token_signed_by_another_key_is_refused(live_server, provider, unified, registered):
    # The provider signs with its key; the portal is told to trust another key published under the same kid.
    unified.OIDC_OP_JWKS_ENDPOINT = f"{provider.url}/wrong-jwks.json"
    users = User.objects.count()

    session, response = sign_in(live_server, provider, "ent_a")

    assert response.url == f"{live_server.url}/accounts/login/"
    assert chinese(NOT_VERIFIED) in response.content.decode()
    assert User.objects.count() == users
    assert not LinkedIdentity.objects.exists()
    assert session.get(f"{live_server.url}/workspace/", timeout=10).url.startswith(f"{live_server.url}/accounts/login/")


def test_token_from_another_issuer_is_refused(live_server, provider, unified, registered):
    unified.OIDC_OP_ISSUER = "https://iam.gd.gov.cn/oidc"  # the portal expects another provider than this one

    _session, response = sign_in(live_server, provider, "ent_a")

    assert response.url == f"{live_server.url}/accounts/login/"
    assert chinese(NOT_VERIFIED) in response.content.decode()
    assert not LinkedIdentity.objects.exists()


def test_subject_linked_to_a_staff_account_is_refused(live_server, provider, unified, registered):
    staff = UserFactory(username="city-staff", role=Role.STAFF)
    LinkedIdentity.objects.create(
        user=staff, issuer=provider.issuer, subject=provider.subjects["ent_staff"], credit_code=REGISTERED
    )

    session, response = sign_in(live_server, provider, "ent_staff")

    assert response.url == f"{live_server.url}/accounts/login/"
    assert chinese(NOT_AN_APPLICANT) in response.content.decode()
    assert session.get(f"{live_server.url}/workspace/", timeout=10).url.startswith(f"{live_server.url}/accounts/login/")


def test_subject_linked_to_another_organisations_applicant_is_refused(live_server, provider, unified, registered):
    _organisation, _own, others = registered
    applicant = UserFactory(username="other-applicant", role=Role.APPLICANT, organisation=others.organisation)
    LinkedIdentity.objects.create(
        user=applicant, issuer=provider.issuer, subject=provider.subjects["ent_a"], credit_code=REGISTERED
    )

    _session, response = sign_in(live_server, provider, "ent_a")

    assert response.url == f"{live_server.url}/accounts/login/"
    assert chinese(OTHER_ORGANISATION) in response.content.decode()


def test_password_login_still_works_with_unified_identity_on(client, unified, registered):
    organisation, _own, _others = registered
    UserFactory(username="demo-applicant", role=Role.APPLICANT, organisation=organisation)

    response = client.post(reverse("login"), {"username": "demo-applicant", "password": "pw-for-tests-1"})

    assert response.status_code == 302
    assert response.url == reverse("home")


def test_check_requires_every_setting_when_enabled(settings):
    from identity.checks import unified_identity_configured

    assert unified_identity_configured(None) == []
    settings.OIDC_ENABLED = True
    settings.OIDC_OP_ISSUER = ""
    assert [error.id for error in unified_identity_configured(None)] == ["identity.E001"]
