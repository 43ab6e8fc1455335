import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Invitation, Role, User
from applications.models import Organisation
from tests.factories import district

pytestmark = pytest.mark.django_db


def signup_data(**overrides):
    data = {
        "credit_code": "9144 0300 1922 0382 16",
        "organisation_name": "深圳市新注册制造有限公司",
        "district": district("baoan").pk,
        "full_name": "王五",
        "phone": "13800000000",
        "email": "wang@example.com",
        "username": "wangwu",
        "password1": "a-long-Secret-42",
        "password2": "a-long-Secret-42",
    }
    return data | overrides


def test_signup_registers_the_organisation_and_its_first_user(client):
    response = client.post(reverse("signup"), signup_data())
    assert response.status_code == 302
    user = User.objects.get(username="wangwu")
    assert (user.role, user.organisation.credit_code, user.organisation.district.name) == (
        Role.APPLICANT, "914403001922038216", "宝安区",
    )  # fmt: skip


def test_signup_with_a_wrong_code_is_a_form_error(client):
    response = client.post(reverse("signup"), signup_data(credit_code="914403001922038217"))
    assert response.status_code == 200
    assert "校验码错误" in response.content.decode()
    assert not Organisation.objects.exists()


def test_signup_for_a_registered_organisation_points_to_an_invitation(client, world):
    response = client.post(reverse("signup"), signup_data(credit_code=world.org_a.credit_code))
    assert "已注册" in response.content.decode()
    assert not User.objects.filter(username="wangwu").exists()


def test_invited_colleague_joins_the_organisation(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.applicant_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("invite", args=[world.org_a.pk]), {"email": "colleague@example.com"})
    invitation = Invitation.objects.get()
    assert invitation.token in mail.outbox[-1].body
    client.logout()
    data = {
        "full_name": "赵六",
        "phone": "13900000000",
        "username": "zhaoliu",
        "password1": "x-Secret-99a",
        "password2": "x-Secret-99a",
    }
    client.post(reverse("accept_invitation", args=[invitation.token]), data)
    assert User.objects.get(username="zhaoliu").organisation == world.org_a
    assert client.get(reverse("accept_invitation", args=[invitation.token])).status_code == 404


def test_applicant_cannot_invite_into_another_organisation(client, world):
    client.force_login(world.applicant_a)
    assert client.post(reverse("invite", args=[world.org_b.pk]), {"email": "x@example.com"}).status_code == 404
