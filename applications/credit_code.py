"""Unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters from an alphabet of 31 (no I, O, S, V, Z); the last is a check character:
with weights 3^(i-1) mod 31 over the first 17, check = (31 - sum mod 31) mod 31.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [pow(3, i, 31) for i in range(17)]
LENGTH = 18


def normalise(value):
    """Upper-case and drop every kind of white space (codes are often pasted with spaces)."""
    return "".join(str(value).split()).upper()


def check_character(first17):
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def example_code(serial, prefix="91440300"):
    """A valid code for demo data and tests: ``prefix`` (Shenzhen enterprise), 9 characters from ``serial``, check."""
    n = 10_000_000 + serial * 7919
    chars = []
    for _position in range(17 - len(prefix)):
        n, r = divmod(n, 31)
        chars.append(ALPHABET[r])
    first17 = prefix + "".join(reversed(chars))
    return first17 + check_character(first17)


def is_valid(value):
    code = normalise(value)
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        return False
    return check_character(code[:17]) == code[17]


def validate_credit_code(value):
    code = normalise(value)
    if len(code) != LENGTH:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(n)d."),
            code="credit_code_length",
            params={"n": len(code)},
        )
    bad = sorted({ch for ch in code if ch not in ALPHABET})
    if bad:
        raise ValidationError(
            _("The unified social credit code contains characters that are not allowed: %(chars)s."),
            code="credit_code_chars",
            params={"chars": " ".join(bad)},
        )
    if check_character(code[:17]) != code[17]:
        raise ValidationError(
            _(
                "The check character of this unified social credit code is wrong (GB 32100-2015); "
                "please check the code."
            ),
            code="credit_code_check",
        )


class CreditCodeFormField(forms.CharField):
    default_validators = [validate_credit_code]

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 64)  # accept pasted spaces; normalised below
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return normalise(value) if value else value


class CreditCodeField(models.CharField):
    default_validators = [validate_credit_code]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", LENGTH)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return normalise(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return normalise(value) if value else value

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": CreditCodeFormField, **kwargs})
