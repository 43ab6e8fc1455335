import pytest
from django import forms
from django.core.exceptions import ValidationError

from applications.credit_code import CreditCodeFormField, example_code, is_valid, validate_credit_code
from tests.factories import OrganisationFactory

VALID = "914403001922038216"
WRONG_CHECK = "914403001922038217"


def test_known_valid_code_passes():
    assert is_valid(VALID) is True
    validate_credit_code(VALID)


def test_wrong_check_character_is_refused_with_a_clear_message():
    assert is_valid(WRONG_CHECK) is False
    with pytest.raises(ValidationError) as refused:
        validate_credit_code(WRONG_CHECK)
    assert refused.value.code == "credit_code_check"
    assert "校验码" in refused.value.messages[0]


@pytest.mark.parametrize("pasted", ["914403001922038216", " 9144 0300 1922 0382 16 ", "91440300\t1922038216"])
def test_spaces_are_normalised(pasted):
    assert is_valid(pasted) is True


def test_lower_case_is_normalised():
    code = example_code(7)
    assert code.lower() != code  # the example has letters, so lower-casing changes it
    assert is_valid(code.lower()) is True


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        ("91440300192203821", "credit_code_length"),
        ("91440300192203821O", "credit_code_chars"),
        ("", "credit_code_length"),
    ],
)
def test_malformed_codes_give_specific_errors(bad, code):
    with pytest.raises(ValidationError) as refused:
        validate_credit_code(bad)
    assert refused.value.code == code


class CodeForm(forms.Form):
    code = CreditCodeFormField()


def test_form_field_normalises_and_reports_errors_without_crashing():
    good = CodeForm({"code": " 9144 0300 1922 0382 16"})
    assert good.is_valid()
    assert good.cleaned_data["code"] == VALID
    bad = CodeForm({"code": WRONG_CHECK})
    assert not bad.is_valid()
    assert "校验码" in bad.errors["code"][0]


@pytest.mark.django_db
def test_model_stores_the_normalised_code():
    org = OrganisationFactory(credit_code=" 9144 0300 1922 0382 16")
    org.refresh_from_db()
    assert org.credit_code == VALID
    org.full_clean()


@pytest.mark.django_db
def test_model_full_clean_refuses_a_wrong_code():
    org = OrganisationFactory.build(credit_code=WRONG_CHECK)
    with pytest.raises(ValidationError) as refused:
        org.full_clean()
    assert "credit_code" in refused.value.message_dict
