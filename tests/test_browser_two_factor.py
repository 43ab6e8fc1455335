"""Issue 12 in Debian's Chromium: a district officer's first login sets up the second factor (the key read
from the page, the code computed as an authenticator app would), then a later login asks for a code.

Screenshots go to test-artifacts/screenshots/ (not committed): look at them.
"""

import base64
import datetime

import pytest
import time_machine
from django_otp.oath import totp
from playwright.sync_api import expect

from accounts.models import Role, User
from tests.factories import district

pytestmark = [pytest.mark.browser, pytest.mark.security, pytest.mark.django_db(transaction=True)]

PASSWORD = "Browser-Test-2027"


@pytest.fixture
def officer(districts):
    return User.objects.create_user(
        "ns_officer2", password=PASSWORD, role=Role.DISTRICT, district=district("nanshan"), first_name="南山办"
    )


def authenticator_code(secret_text):
    """What an authenticator app shows for the key typed in by hand."""
    key = base64.b32decode(secret_text.replace(" ", "") + "=" * (-len(secret_text.replace(" ", "")) % 8))
    return f"{totp(key, step=30, t0=0, digits=6):06d}"


def password_login(page, base):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "ns_officer2")
    page.fill("#id_password", PASSWORD)
    page.click("form:has(#id_username) button[type=submit]")


def test_district_officer_enrols_then_logs_in_with_a_code(live_server, browser, screens, officer):
    base = live_server.url
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    with time_machine.travel(datetime.datetime.now(datetime.UTC), tick=True) as traveller:
        # First login: the password, then the enrolment page.
        password_login(page, base)
        expect(page.locator("[data-testid=two-factor-setup]")).to_be_visible()
        expect(page.locator("[data-testid=totp-qr] svg")).to_be_visible()
        screens(page, "two-factor-enrolment")
        secret = page.locator("[data-testid=totp-secret]").inner_text()
        page.fill("#id_token", authenticator_code(secret))
        page.click("[data-testid=confirm-code]")

        # Ten recovery codes, shown once, with a print button.
        codes = page.locator("[data-testid=recovery-codes] li")
        expect(codes).to_have_count(10)
        expect(page.locator("[data-action=print]")).to_be_visible()
        screens(page, "recovery-codes")
        page.click("[data-testid=codes-saved]")
        expect(page.locator("h1")).to_contain_text("申报档案")

        # Log out; the next login asks for a code from the app (a later one: each code works once).
        page.click("[data-testid=account-menu]")
        page.click("form[action='/accounts/logout/'] button")
        traveller.shift(datetime.timedelta(seconds=60))
        password_login(page, base)
        expect(page.locator("[data-testid=two-factor-verify]")).to_be_visible()
        screens(page, "two-factor-verify")
        page.fill("#id_token", authenticator_code(secret))
        page.click("[data-testid=verify-code]")
        expect(page.locator("h1")).to_contain_text("申报档案")
