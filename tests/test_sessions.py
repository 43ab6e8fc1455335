"""Issue 12: sessions end after 30 minutes without a request and 12 hours after signing in
(GB/T 22239-2019 8.1.4.1 b, 登录连接超时自动退出; security/middleware.py)."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse

from security.sessions import SIGNED_IN_AT

pytestmark = [pytest.mark.django_db, pytest.mark.security]

START = datetime.datetime(2027, 3, 10, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def applicant(client, world):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return world.applicant_a


def test_defaults():
    assert settings.SESSION_IDLE_TIMEOUT_MINUTES == 30
    assert settings.SESSION_ABSOLUTE_TIMEOUT_HOURS == 12
    assert settings.SESSION_COOKIE_AGE == 12 * 3600


def test_idle_for_more_than_30_minutes_logs_out(client, applicant):
    home = reverse("home")
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(applicant)
        assert client.get(home).status_code == 200
        traveller.shift(datetime.timedelta(minutes=29))
        assert client.get(home).status_code == 200  # a request resets the idle clock
        traveller.shift(datetime.timedelta(minutes=29))
        assert client.get(home).status_code == 200
        traveller.shift(datetime.timedelta(minutes=31))
        response = client.get(home)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=%2Fworkspace%2F"
    assert "_auth_user_id" not in client.session
    login_page = client.get(response["Location"])
    assert [str(m) for m in get_messages(login_page.wsgi_request)] == [
        "You have been inactive for more than 30 minutes. Please log in again."
    ]


def test_idle_limit_is_a_setting(client, applicant, settings):
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 10
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(applicant)
        traveller.shift(datetime.timedelta(minutes=11))
        assert client.get(reverse("home")).status_code == 302


def test_idle_message_in_chinese(client, applicant):
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(applicant)
        traveller.shift(datetime.timedelta(minutes=31))
        response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert response["Content-Language"] == "zh-hans"


def test_absolute_limit_of_12_hours_even_when_active(client, applicant):
    home = reverse("home")
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(applicant)
        for _ in range(12 * 3):  # a request every 20 minutes for 12 hours
            traveller.shift(datetime.timedelta(minutes=20))
            assert client.get(home).status_code == 200
        traveller.shift(datetime.timedelta(minutes=1))
        response = client.get(home)
    assert response.status_code == 302
    login_page = client.get(response["Location"])
    assert [str(m) for m in get_messages(login_page.wsgi_request)] == [
        "Your session has reached its limit of 12 hours. Please log in again."
    ]


def test_absolute_limit_counts_from_the_sign_in_stamp(client, applicant):
    client.force_login(applicant)
    session = client.session
    session[SIGNED_IN_AT] -= 12 * 3600 + 1
    session.save()
    assert client.get(reverse("home")).status_code == 302


def test_login_through_the_form_stamps_the_session(client, applicant):
    with time_machine.travel(START, tick=False):
        response = client.post(reverse("login"), {"username": applicant.username, "password": "pw-for-tests-1"})
        assert response.status_code == 302
        assert client.session[SIGNED_IN_AT] == int(START.timestamp())


def test_htmx_request_after_the_idle_limit_sends_the_page_to_login(client, applicant):
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(applicant)
        traveller.shift(datetime.timedelta(minutes=31))
        response = client.get(reverse("inbox"), headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("login")


def test_anonymous_pages_untouched(client):
    with time_machine.travel(START, tick=False):
        assert client.get(reverse("public_home")).status_code == 200
        assert SIGNED_IN_AT not in client.session
