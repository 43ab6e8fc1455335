"""Receipts for what the public files (第十七条 objections, 第二十五条 reports): a 受理编号 from a locked
yearly counter, a random access code of which only a hash is kept, and a fingerprint that recognises the
same submission sent twice."""

import hashlib
import secrets
import unicodedata
from datetime import timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.notifications import send_email
from reviews.models import ReceiptCounter

OBJECTION_SERIES = "YY"  # 异议
REPORT_SERIES = "JB"  # 举报
# No 0/O, 1/I/L: a code read aloud over the telephone or copied from paper stays unambiguous.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
DUPLICATE_WINDOW = timedelta(hours=24)


def take_number(series, year):
    """The next receipt number of ``series`` in ``year``; call inside the transaction that saves the row."""
    assert transaction.get_connection().in_atomic_block, "a receipt number is taken inside the saving transaction"
    counter = ReceiptCounter.objects.select_for_update().get_or_create(series=series, year=year)[0]
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{series}-{year}-{counter.last_number:06d}"


def lock_series(series, year):
    """Hold the series' counter row so a concurrent identical submission waits for this one's duplicate check."""
    ReceiptCounter.objects.select_for_update().get_or_create(series=series, year=year)


def new_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def hash_code(code):
    return make_password(normalise_code(code))


def display_code(code):
    """ABCD-EFGH: two groups of four are easier to copy than eight letters in a row."""
    return f"{code[:4]}-{code[4:]}"


def normalise_code(code):
    return "".join(ch for ch in unicodedata.normalize("NFKC", code or "").upper() if ch.isalnum())


def normalise_number(number):
    return unicodedata.normalize("NFKC", number or "").strip().upper().replace(" ", "")


_DUMMY_HASH = []


def code_matches(code, encoded):
    """Constant-time comparison through the password hasher; an unknown receipt costs the same time."""
    if not encoded:
        if not _DUMMY_HASH:
            _DUMMY_HASH.append(make_password(new_code()))
        check_password(normalise_code(code), _DUMMY_HASH[0])
        return False
    return check_password(normalise_code(code), encoded)


def _normalise_text(text):
    return " ".join(unicodedata.normalize("NFKC", text or "").casefold().split())


def fingerprint(*parts):
    """SHA-256 of the normalised target, identity and content: the same submission twice has the same one."""
    joined = "\x1f".join(_normalise_text(str(part)) for part in parts)
    return hashlib.sha256(joined.encode()).hexdigest()


def recent_duplicate(queryset, print_, *, now=None, date_field):
    """The row filed with the same fingerprint within the last 24 hours, if any."""
    since = (now or timezone.now()) - DUPLICATE_WINDOW
    return queryset.filter(fingerprint=print_, **{f"{date_field}__gte": since}).exclude(receipt_number=None).first()


def email_receipt(address, *, number, code, what, track_url=None):
    """After commit, send the receipt and the access code to the address the submitter gave (if any)."""
    if not address:
        return
    url = track_url or reverse("track_submission")
    subject = _("%(what)s received: receipt number %(number)s") % {"what": what, "number": number}
    body = _(
        "Receipt number: %(number)s\nAccess code: %(code)s\n\n"
        "Keep both: with them you can follow the status and the outcome at %(url)s\n"
        "This email address is used only to send you this receipt and the outcome."
    ) % {"number": number, "code": display_code(code), "url": url}
    transaction.on_commit(lambda: send_email([address], subject, body))


def email_outcome(address, *, number, track_url=None):
    """After commit, tell the submitter that a decision was made (the outcome itself is read on the tracking page)."""
    if not address:
        return
    url = track_url or reverse("track_submission")
    subject = _("Receipt %(number)s: a decision was made") % {"number": number}
    body = _(
        "A decision was made on %(number)s. Enter the receipt number and your access code at %(url)s to read it."
    ) % {"number": number, "url": url}
    transaction.on_commit(lambda: send_email([address], subject, body))
