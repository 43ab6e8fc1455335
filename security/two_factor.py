"""Second factor for the powerful roles (GB/T 22239-2019 8.1.4.1 d, 两种或两种以上组合的鉴别技术):
TOTP on an authenticator app, plus ten single-use recovery codes."""

from base64 import b32encode

import segno
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

# City staff, district officers, experts and the three administrators (superusers too).
POWERFUL_ROLES = ("municipal", "staff", "district", "expert", "sysadmin", "secadmin", "auditadmin")
RECOVERY_CODES = 10
TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"


def needs_two_factor(user):
    return bool(user.is_superuser or user.is_staff or str(user.role) in POWERFUL_ROLES)


def confirmed_totp(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_totp(user):
    """The device being enrolled: the same secret across reloads of the enrolment page."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def qr_svg(device):
    """The otpauth:// URL as an inline SVG (segno, pure Python; no image library, no external request)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=2)


def secret_text(device):
    """The base32 secret in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@transaction.atomic
def confirm_enrolment(device, token):
    """Confirm ``device`` with a code from the app; returns the new recovery codes, or None if wrong."""
    if not device.verify_token(token.strip().replace(" ", "")):
        return None
    device.confirmed = True
    device.save()
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    return new_recovery_codes(device.user)


@transaction.atomic
def new_recovery_codes(user):
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    for code in codes:
        static.token_set.create(token=code)
    return codes


def remaining_recovery_codes(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def reset_two_factor(user):
    """The security administrator's reset: the user enrols again at the next login. Returns devices deleted."""
    totp = TOTPDevice.objects.filter(user=user)
    static = StaticDevice.objects.filter(user=user)
    count = totp.count() + static.count()
    for device in [*totp, *static]:
        device.delete()
    from audit.models import EventType
    from audit.services import record

    record(EventType.SECOND_FACTOR_RESET, obj=user, target=user.get_username(), detail={"devices": count})
    return count
