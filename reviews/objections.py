"""第十七条: real-name objections during publicity and the city's decisions on them."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.notifications import notify
from applications import services as dossier_services
from applications.models import Dossier
from applications.services import TransitionRefused
from reviews import receipts
from reviews.models import Objection
from reviews.publicity import clear_for_publication

ANONYMOUS_NAMES = {"匿名", "无名", "佚名", "anonymous", "anon", "n/a", "-"}


def is_anonymous(name, contact):
    """第十七条 (objections) and 第二十五条 (reports) take real names with contact details only."""
    return not name.strip() or name.strip().lower() in ANONYMOUS_NAMES or not contact.strip()


def submit_objection(entry, *, objector_kind, name, phone, content, evidence=None, email="", now=None, track_url=None):
    """A real-name written objection within the publicity period (第十七条); anonymous ones are refused.

    The objection gets a 受理编号 and an access code (kept only as a hash), given back on the returned row as
    ``access_code`` and emailed if an address was given. The same objection sent again within 24 hours
    returns the first row with ``is_duplicate`` set and no code (the first one stays valid).
    """
    today = timezone.localdate(now)
    batch = entry.batch
    if not batch.is_running(today):
        raise TransitionRefused(
            _("Objections are accepted only during the publicity period (%(start)s to %(end)s).")
            % {"start": batch.starts_on, "end": batch.ends_on}
        )
    if is_anonymous(name, phone):
        raise TransitionRefused(
            _("Anonymous objections are not accepted: give your real name (or your unit's) and a telephone number.")
        )
    print_ = receipts.fingerprint("objection", entry.dossier_id, objector_kind, name, phone, content)
    with transaction.atomic():
        receipts.lock_series(receipts.OBJECTION_SERIES, today.year)
        earlier = receipts.recent_duplicate(Objection.objects.all(), print_, now=now, date_field="submitted_at")
        if earlier is not None:
            earlier.is_duplicate, earlier.access_code = True, None
            return earlier
        code = receipts.new_code()
        objection = Objection.objects.create(
            dossier=entry.dossier,
            objector_kind=objector_kind,
            objector_name=name.strip(),
            objector_phone=phone.strip(),
            contact_email=(email or "").strip(),
            content=content,
            submitted_at=now or timezone.now(),
            receipt_number=receipts.take_number(receipts.OBJECTION_SERIES, today.year),
            access_code_hash=receipts.hash_code(code),
            fingerprint=print_,
        )
        if evidence:
            objection.evidence.save(evidence.name, evidence)
        title = _("Objection received for %(organisation)s (publicity %(batch)s)") % {
            "organisation": entry.dossier.organisation,
            "batch": batch,
        }
        staff = list(scoping.city_staff())
        transaction.on_commit(
            lambda: notify(
                staff, title=title, url=f"/city/publicity/{batch.pk}/", dossier=entry.dossier_id, needs_action=True
            )
        )
        receipts.email_receipt(
            objection.contact_email,
            number=objection.receipt_number,
            code=code,
            what=_("Your objection"),
            track_url=track_url,
        )
    objection.is_duplicate, objection.access_code = False, code
    return objection


def decide_objection(objection, *, uphold, note, by, now=None):
    """Uphold (the unit leaves the publicity: not_passed) or dismiss; clears the unit if its period is over."""
    if not note.strip():
        raise TransitionRefused(_("Please give a reason; it is shown to the applicant and the district."))
    with transaction.atomic():
        locked = Objection.objects.select_for_update().get(pk=objection.pk)
        if locked.status != Objection.Status.PENDING:
            raise TransitionRefused(_("This objection has already been decided."))
        locked.status = Objection.Status.UPHELD if uphold else Objection.Status.DISMISSED
        locked.decided_by, locked.decided_at, locked.decision_note = by, timezone.now(), note
        locked.save()
        if locked.receipt_number:
            receipts.email_outcome(locked.contact_email, number=locked.receipt_number)
        dossier = Dossier.objects.get(pk=locked.dossier_id)
        if uphold:
            dossier_services.transition(dossier, "uphold_objection", by=by, reason=note)
        elif (
            dossier.publicity_ends_on
            and dossier.publicity_ends_on < timezone.localdate(now)
            and not dossier.objections.filter(status=Objection.Status.PENDING).exists()
        ):
            clear_for_publication(dossier, now=now, by=by)
    return locked
