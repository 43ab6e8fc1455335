"""Issue 12: password rules to GB/T 22239-2019 level 3 (8.1.4.1 a): length by role, character classes,
no reuse of the last five (security/validators.py, through AUTH_PASSWORD_VALIDATORS)."""

import pytest
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from accounts.models import Role
from security.models import PasswordHistory
from security.validators import character_classes
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def refusals(password, user=None):
    try:
        validate_password(password, user)
    except ValidationError as error:
        return sorted(e.code for e in error.error_list)
    return []


@pytest.mark.parametrize(
    "role", [Role.DISTRICT, Role.MUNICIPAL, Role.STAFF, Role.EXPERT, "sysadmin", "secadmin", "auditadmin"]
)
def test_staff_accounts_need_twelve_characters(role):
    user = UserFactory(role=role)
    assert refusals("Green-fact7y", user) == []  # 12
    assert refusals("Green-fact7", user) == ["password_too_short"]  # 11


def test_superuser_needs_twelve_characters():
    user = UserFactory(role="", is_superuser=True, is_staff=True)
    assert refusals("Green-fact7", user) == ["password_too_short"]


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.AGENCY])
def test_enterprises_and_agencies_need_eight(role):
    user = UserFactory(role=role)
    assert refusals("Grn-fac7", user) == []  # 8
    assert refusals("Grn-fa7", user) == ["password_too_short"]


def test_signup_without_a_user_yet_needs_eight():
    assert refusals("Grn-fac7") == []
    assert refusals("Grn-fa7") == ["password_too_short"]


def test_character_classes():
    assert character_classes("aB3-") == {"lower", "upper", "digit", "symbol"}
    assert character_classes("绿色工厂2027abc") == {"digit", "lower", "symbol"}


@pytest.mark.parametrize(
    ("password", "codes"),
    [
        ("greenfactory", ["password_too_simple"]),  # lower only
        ("greenfactory2027", ["password_too_simple"]),  # lower + digits
        ("GREEN-FACTORY", ["password_too_simple"]),  # upper + symbol
        ("Greenfactory2027", []),  # upper + lower + digits
        ("green-factory-2027", []),  # lower + symbol + digits
        ("GREEN-FACTORY-2027", []),
    ],
)
def test_three_of_four_character_classes(password, codes):
    assert refusals(password, UserFactory(role=Role.DISTRICT)) == codes


def test_last_five_passwords_are_refused_and_the_sixth_back_allowed():
    user = UserFactory(role=Role.DISTRICT)  # created with pw-for-tests-1
    passwords = [f"Shenzhen-green-{n}" for n in range(1, 6)]
    for password in passwords:
        validate_password(password, user)
        user.set_password(password)
        user.save()
    assert PasswordHistory.objects.filter(user=user).count() == 5
    for password in passwords:
        assert refusals(password, user) == ["password_reused"], password
    # The creation password is six changes back: allowed again.
    assert refusals("pw-for-tests-1", user) == []


def test_password_change_form_refuses_the_current_password():
    user = UserFactory(role=Role.MUNICIPAL)
    user.set_password("Current-pass-2027")
    user.save()
    form = PasswordChangeForm(
        user,
        {
            "old_password": "Current-pass-2027",
            "new_password1": "Current-pass-2027",
            "new_password2": "Current-pass-2027",
        },
    )
    assert not form.is_valid()
    assert [e.code for e in form.errors.as_data()["new_password2"]] == ["password_reused"]


def test_set_password_form_records_the_new_password():
    user = UserFactory(role=Role.EXPERT)
    form = SetPasswordForm(user, {"new_password1": "Expert-review-2027", "new_password2": "Expert-review-2027"})
    assert form.is_valid(), form.errors
    form.save()
    latest = PasswordHistory.objects.filter(user=user).first()
    assert latest.password == user.password
    again = SetPasswordForm(user, {"new_password1": "Expert-review-2027", "new_password2": "Expert-review-2027"})
    assert not again.is_valid()


def test_unusable_password_is_not_recorded():
    user = UserFactory(role=Role.EXPERT)
    before = PasswordHistory.objects.filter(user=user).count()
    user.set_unusable_password()
    user.save()
    assert PasswordHistory.objects.filter(user=user).count() == before
