"""Issue 12: two factors for the powerful roles (GB/T 22239-2019 8.1.4.1 d): enrolment on first login
(QR code and key, a code to confirm, ten recovery codes), a code at every login, the security
administrator's reset (security/two_factor.py, security/middleware.py, security/views.py)."""

import datetime
import re

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role
from security import two_factor
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.security]

PASSWORD = "pw-for-tests-1"
START = datetime.datetime(2027, 3, 10, 2, 0, tzinfo=datetime.UTC)


def code(device):
    """The code an authenticator app shows now for ``device`` (zero-padded)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def wrong_code(device):
    right = code(device)
    return "000000" if right != "000000" else "111111"


def enrolled(user):
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    recovery = two_factor.new_recovery_codes(user)
    return device, recovery


def log_in(client, user, ip="10.0.0.1"):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD}, REMOTE_ADDR=ip)
    assert response.status_code == 302, response.content
    return response


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def officer(world):
    return world.officer_nanshan


def test_powerful_roles():
    assert set(two_factor.POWERFUL_ROLES) == {
        "municipal",
        "staff",
        "district",
        "expert",
        "sysadmin",
        "secadmin",
        "auditadmin",
    }
    assert settings.TWO_FACTOR_REQUIRED is True


@pytest.mark.parametrize("role", [Role.DISTRICT, Role.MUNICIPAL, Role.STAFF, Role.EXPERT])
def test_powerful_role_is_sent_to_enrolment_after_the_password(client, world, role):
    user = UserFactory(role=role, district=world.officer_nanshan.district if role == Role.DISTRICT else None)
    response = client.get(log_in(client, user)["Location"])
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('two_factor')}?next=%2Fworkspace%2F"
    response = client.get(response["Location"])
    assert response["Location"] == f"{reverse('two_factor_setup')}?next=%2Fworkspace%2F"


def test_superuser_needs_two_factors(client, settings):
    settings.SUPERUSER_REFUSED_IN_WORKSPACE = False
    root = UserFactory(role="", is_superuser=True, is_staff=True)
    client.force_login(root)
    assert client.get("/admin/")["Location"] == f"{reverse('two_factor')}?next=%2Fadmin%2F"


def test_applicants_and_agencies_are_not_asked(client, world):
    for user in (world.applicant_a, world.agency_user):
        client.force_login(user)
        assert client.get(reverse("home")).status_code == 200


def test_public_pages_stay_reachable_before_the_second_factor(client, officer):
    client.force_login(officer)
    for name in ("public_home", "public_lists", "public_publicity_list", "track_submission", "verify_document"):
        assert client.get(reverse(name)).status_code == 200, name
    assert client.get(reverse("home")).status_code == 302
    assert client.get(reverse("inbox")).status_code == 302


def test_setting_turns_enforcement_off(client, officer, settings):
    settings.TWO_FACTOR_REQUIRED = False
    client.force_login(officer)
    assert client.get(reverse("home")).status_code == 200


def test_enrolment_qr_code_key_confirmation_and_recovery_codes(client, officer):
    client.force_login(officer)
    setup_url = f"{reverse('two_factor_setup')}?next=%2Fworkspace%2F"
    page = client.get(setup_url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "<svg" in text and "<script" not in text.split('data-testid="totp-qr"')[1].split("</div>")[0]
    device = TOTPDevice.objects.get(user=officer)
    assert not device.confirmed
    assert device.config_url.startswith("otpauth://totp/")
    assert "issuer=" in device.config_url
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', text).group(1)
    assert secret.replace(" ", "") == page.context["secret"].replace(" ", "")
    # Reloading keeps the same key (the person may scan after a reload).
    assert client.get(setup_url).context["secret"] == page.context["secret"]
    assert TOTPDevice.objects.filter(user=officer).count() == 1

    wrong = client.post(setup_url, {"token": wrong_code(device), "next": "/workspace/"})
    assert wrong.status_code == 200
    assert "The code does not match" in wrong.content.decode()
    assert client.get(reverse("home")).status_code == 302

    done = client.post(setup_url, {"token": code(device), "next": "/workspace/"})
    assert done.status_code == 302
    assert done["Location"] == f"{reverse('two_factor_recovery_codes')}?next=%2Fworkspace%2F"
    device.refresh_from_db()
    assert device.confirmed
    codes_page = client.get(done["Location"])
    codes = codes_page.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert sorted(StaticToken.objects.filter(device__user=officer).values_list("token", flat=True)) == sorted(codes)
    assert 'data-action="print"' in codes_page.content.decode()
    # Shown once only.
    assert client.get(done["Location"])["Location"] == "/workspace/"
    assert client.get(reverse("home")).status_code == 200


def test_login_asks_for_a_code_and_refuses_a_wrong_one(client, officer):
    device, _recovery = enrolled(officer)
    response = client.get(log_in(client, officer)["Location"])
    verify_url = response["Location"]
    assert verify_url == f"{reverse('two_factor')}?next=%2Fworkspace%2F"
    page = client.get(verify_url)
    assert page.status_code == 200
    assert "security/two_factor_verify.html" in [t.name for t in page.templates]
    # An enrolled person cannot enrol a second device without the reset.
    assert client.get(reverse("two_factor_setup"))["Location"].startswith(reverse("two_factor"))

    wrong = client.post(verify_url, {"token": wrong_code(device), "next": "/workspace/"})
    assert wrong.status_code == 200
    assert "The code is wrong, expired or already used" in wrong.content.decode()
    assert client.get(reverse("home")).status_code == 302

    right = client.post(verify_url, {"token": code(device), "next": "/workspace/"})
    assert right["Location"] == "/workspace/"
    assert client.get(reverse("home")).status_code == 200


def test_code_cannot_be_used_twice(client, officer):
    device, _recovery = enrolled(officer)
    with time_machine.travel(START, tick=False):
        token = code(device)
        log_in(client, officer)
        assert client.post(reverse("two_factor"), {"token": token})["Location"] == reverse("home")
        client.post(reverse("logout"))
        log_in(client, officer)
        assert client.post(reverse("two_factor"), {"token": token}).status_code == 200
        assert client.get(reverse("home")).status_code == 302


def test_wrong_codes_slow_down_guessing(client, officer, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 1  # the product's default: 1 s, doubled after each failure
    device, _recovery = enrolled(officer)
    with time_machine.travel(START, tick=False) as traveller:
        log_in(client, officer)
        assert client.post(reverse("two_factor"), {"token": wrong_code(device)}).status_code == 200
        # Even the right code is refused while the device is throttled.
        assert client.post(reverse("two_factor"), {"token": code(device)}).status_code == 200
        device.refresh_from_db()
        assert device.throttling_failure_count == 1
        traveller.shift(datetime.timedelta(seconds=3))
        assert client.post(reverse("two_factor"), {"token": code(device)})["Location"] == reverse("home")


def test_recovery_code_works_once(client, officer):
    _device, recovery = enrolled(officer)
    log_in(client, officer)
    response = client.post(reverse("two_factor"), {"token": recovery[0], "next": "/workspace/"}, follow=True)
    assert response.redirect_chain == [("/workspace/", 302)]
    assert "You used a recovery code; 9 remain." in response.content.decode()
    assert StaticToken.objects.filter(device__user=officer).count() == 9
    client.post(reverse("logout"))
    log_in(client, officer)
    assert client.post(reverse("two_factor"), {"token": recovery[0]}).status_code == 200
    assert client.get(reverse("home")).status_code == 302


def test_logout_reachable_before_the_second_factor(client, officer):
    enrolled(officer)
    log_in(client, officer)
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_security_administrator_resets_a_second_factor(client, officer):
    secadmin = UserFactory(username="anquan", role="secadmin")
    admin_device, _ = enrolled(secadmin)
    enrolled(officer)
    admin = type(client)()
    admin.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    log_in(admin, secadmin)
    assert admin.get(reverse("security_locks")).status_code == 302  # a code first
    admin.post(reverse("two_factor"), {"token": code(admin_device)})
    page = admin.get(reverse("security_locks"), {"q": officer.username})
    assert page.status_code == 200
    assert [(u.username, enrolled_, codes) for u, enrolled_, codes in page.context["users"]] == [
        (officer.username, True, True)
    ]
    response = admin.post(reverse("security_reset_second_factor", args=[officer.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert not StaticDevice.objects.filter(user=officer).exists()
    # The officer enrols again at the next login.
    response = client.get(log_in(client, officer)["Location"])
    assert client.get(response["Location"])["Location"].startswith(reverse("two_factor_setup"))


def test_reset_refused_to_others(client, officer):
    enrolled(officer)
    other = UserFactory(role=Role.MUNICIPAL)
    other_device, _ = enrolled(other)
    log_in(client, other)
    client.post(reverse("two_factor"), {"token": code(other_device)})
    assert client.post(reverse("security_reset_second_factor", args=[officer.pk])).status_code == 403
    assert TOTPDevice.objects.filter(user=officer).exists()


def test_next_is_kept_on_this_site_only(client, officer):
    device, _ = enrolled(officer)
    log_in(client, officer)
    response = client.post(reverse("two_factor"), {"token": code(device), "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")
