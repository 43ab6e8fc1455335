"""Password rules to GB/T 22239-2019 level 3 (8.1.4.1 a): length by role, character classes, no reuse.

Listed in AUTH_PASSWORD_VALIDATORS, so every form that validates a password applies them (sign-up,
invitation, password change, the admin). The demo seed sets its published password directly and is not
validated.
"""

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# Every role but applicants and agencies acts for the government: the stricter rules apply.
STAFF_ROLES = ("district", "municipal", "expert", "staff", "sysadmin", "secadmin", "auditadmin")


def is_staff_account(user):
    if user is None:
        return False
    return bool(
        getattr(user, "is_superuser", False)
        or getattr(user, "is_staff", False)
        or str(getattr(user, "role", "")) in STAFF_ROLES
    )


class RoleMinimumLengthValidator:
    """At least ``staff_length`` characters for staff accounts, ``other_length`` for the others."""

    def __init__(self, staff_length=12, other_length=8):
        self.staff_length = staff_length
        self.other_length = other_length

    def minimum(self, user):
        return self.staff_length if is_staff_account(user) else self.other_length

    def validate(self, password, user=None):
        minimum = self.minimum(user)
        if len(password) < minimum:
            raise ValidationError(
                ngettext(
                    "This password is too short. It must contain at least %(min_length)d character.",
                    "This password is too short. It must contain at least %(min_length)d characters.",
                    minimum,
                )
                % {"min_length": minimum},
                code="password_too_short",
                params={"min_length": minimum},
            )

    def get_help_text(self):
        return _(
            "Your password must contain at least %(staff)d characters for government and administrator "
            "accounts, %(other)d for enterprises and agencies."
        ) % {"staff": self.staff_length, "other": self.other_length}


def character_classes(password):
    """Which of the four classes the password uses: upper case, lower case, digits, and symbols (any other
    character, Chinese characters included)."""
    found = set()
    for ch in password:
        if ch.isdigit():
            found.add("digit")
        elif ch.isupper():
            found.add("upper")
        elif ch.islower():
            found.add("lower")
        else:
            found.add("symbol")
    return found


class CharacterClassesValidator:
    """At least ``min_classes`` of upper case, lower case, digits and symbols."""

    def __init__(self, min_classes=3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if len(character_classes(password)) < self.min_classes:
            raise ValidationError(
                _(
                    "The password must mix at least %(count)d of: upper-case letters, lower-case letters, "
                    "digits and symbols."
                )
                % {"count": self.min_classes},
                code="password_too_simple",
                params={"count": self.min_classes},
            )

    def get_help_text(self):
        return _(
            "Your password must mix at least %(count)d of: upper-case letters, lower-case letters, digits and symbols."
        ) % {"count": self.min_classes}


class PasswordHistoryValidator:
    """Refuses the current password and the ``history`` before it; records each new one once saved."""

    def __init__(self, history=5):
        self.history = history

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        from security.models import PasswordHistory

        # The instance may already carry the new hash (a form's set_password before save): read the stored one.
        stored = type(user)._default_manager.filter(pk=user.pk).values_list("password", flat=True).first() or ""
        hashes = list(PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[: self.history])
        if stored and stored not in hashes:
            hashes.insert(0, stored)
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(
                ngettext(
                    "This password was used recently. Choose one that differs from your last %(count)d password.",
                    "This password was used recently. Choose one that differs from your last %(count)d passwords.",
                    self.history,
                )
                % {"count": self.history},
                code="password_reused",
                params={"count": self.history},
            )

    def password_changed(self, password, user=None):
        """Called by User.save() after set_password: keep the new hash, prune to ``history`` rows."""
        if user is None or user.pk is None or not user.has_usable_password():
            return
        from security.models import PasswordHistory

        PasswordHistory.objects.create(user=user, password=user.password)
        stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[self.history :]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()

    def get_help_text(self):
        return ngettext(
            "Your password cannot repeat your last %(count)d password.",
            "Your password cannot repeat any of your last %(count)d passwords.",
            self.history,
        ) % {"count": self.history}
