"""Issue 12: lockout after repeated failed logins, per account and per address (django-axes), its page,
and the security administrator's unlock (GB/T 22239-2019 8.1.4.1 b)."""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse

from accounts.models import Role
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.security]

PASSWORD = "pw-for-tests-1"
START = datetime.datetime(2027, 3, 10, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def applicant():
    return UserFactory(username="zhang", role=Role.APPLICANT)


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def log_in(client, username, password, ip="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_settings_lock_accounts_and_addresses_separately_after_five_failures_for_30_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 30 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


def test_wrong_password_below_the_limit_is_an_ordinary_form_error(client, applicant):
    for _ in range(4):
        assert log_in(client, "zhang", "wrong").status_code == 200
    assert log_in(client, "zhang", PASSWORD).status_code == 302


def test_account_locked_after_five_failures_from_any_address(client, applicant):
    with time_machine.travel(START, tick=False):
        responses = [log_in(client, "zhang", "wrong", ip=f"10.0.0.{i}") for i in range(1, 6)]
        assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
        page = responses[-1]
        assert "security/lockout.html" in [t.name for t in page.templates]
        text = page.content.decode()
        assert 'data-testid="lockout"' in text
        assert "After 5 wrong passwords in a row" in text
        # 30 minutes from 10:00 UTC is 18:30 Beijing time.
        assert "Try again after 30 minutes (at 2027-03-10 18:30, Beijing time)." in text
        assert "security administrator to unlock the account" in text
        # The right password, from yet another address, is refused too.
        assert log_in(client, "zhang", PASSWORD, ip="10.9.9.9").status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_page_names_the_contact_when_set(client, applicant, settings):
    settings.SECURITY_CONTACT = "市工业和信息化局信息中心 0755-88100000"
    for _ in range(5):
        response = log_in(client, "zhang", "wrong")
    assert response.status_code == 429
    assert "市工业和信息化局信息中心 0755-88100000" in response.content.decode()


def test_lockout_page_in_chinese_by_default(client, applicant):
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    for _ in range(5):
        response = log_in(client, "zhang", "wrong")
    assert response.status_code == 429
    assert response["Content-Language"] == "zh-hans"


def test_address_locked_after_failures_for_different_accounts(client, applicant):
    for name in ("li1", "li2", "li3", "li4", "li5"):
        log_in(client, name, "wrong", ip="10.1.1.1")
    assert log_in(client, "zhang", PASSWORD, ip="10.1.1.1").status_code == 429
    # The account itself is not locked: from another address it signs in.
    assert log_in(client, "zhang", PASSWORD, ip="10.2.2.2").status_code == 302


def test_lock_ends_by_itself_after_the_cool_off(client, applicant):
    with time_machine.travel(START, tick=False) as traveller:
        for _ in range(5):
            log_in(client, "zhang", "wrong")
        traveller.shift(datetime.timedelta(minutes=29))
        assert log_in(client, "zhang", PASSWORD, ip="10.3.3.3").status_code == 429
        # The refused attempt during the lock restarts the cool-off (axes' default): 31 minutes after it.
        traveller.shift(datetime.timedelta(minutes=31))
        assert log_in(client, "zhang", PASSWORD, ip="10.3.3.3").status_code == 302
    # A successful login clears the account's failures.
    assert not AccessAttempt.objects.filter(username="zhang").exists()


@pytest.fixture
def secadmin(settings):
    # The security administrator's own second factor is tested in test_two_factor.py.
    settings.TWO_FACTOR_REQUIRED = False
    return UserFactory(username="anquan", role="secadmin")


def test_security_administrator_sees_and_lifts_locks(client, applicant, secadmin):
    for _ in range(5):
        log_in(client, "zhang", "wrong", ip="10.4.4.4")
    for name in ("x1", "x2", "x3", "x4", "x5"):
        log_in(client, name, "wrong", ip="10.5.5.5")
    admin_client = type(client)()
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    admin_client.force_login(secadmin)
    page = admin_client.get(reverse("security_locks"))
    assert page.status_code == 200
    accounts = [row["value"] for row in page.context["accounts"]]
    addresses = [row["value"] for row in page.context["addresses"]]
    assert accounts == ["zhang"]
    assert sorted(addresses) == ["10.4.4.4", "10.5.5.5"]

    response = admin_client.post(reverse("security_unlock"), {"username": "zhang"})
    assert response.status_code == 302
    assert log_in(client, "zhang", PASSWORD, ip="10.6.6.6").status_code == 302
    client.logout()
    # The address made of other accounts' failures stays locked until it is lifted too.
    assert log_in(client, "zhang", PASSWORD, ip="10.5.5.5").status_code == 429
    admin_client.post(reverse("security_unlock"), {"ip_address": "10.5.5.5"})
    assert log_in(client, "zhang", PASSWORD, ip="10.5.5.5").status_code == 302
    assert admin_client.get(reverse("security_locks")).context["addresses"] == []


def test_superuser_may_open_the_unlock_screen(client, settings):
    settings.TWO_FACTOR_REQUIRED = False
    settings.SUPERUSER_REFUSED_IN_WORKSPACE = False
    client.force_login(UserFactory(username="root", role="", is_superuser=True, is_staff=True))
    assert client.get(reverse("security_locks")).status_code == 200


@pytest.mark.parametrize("role", [Role.MUNICIPAL, Role.STAFF, Role.DISTRICT, Role.APPLICANT, "sysadmin", "auditadmin"])
def test_unlock_screen_refused_to_other_roles(client, settings, applicant, role):
    settings.TWO_FACTOR_REQUIRED = False
    client.force_login(UserFactory(role=role))
    assert client.get(reverse("security_locks")).status_code == 403
    assert client.post(reverse("security_unlock"), {"username": "zhang"}).status_code == 403


def test_unlock_screen_needs_login(client):
    response = client.get(reverse("security_locks"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
