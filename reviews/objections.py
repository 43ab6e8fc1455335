"""第十七条: real-name objections during publicity and the city's decisions on them."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.notifications import notify
from applications import services as dossier_services
from applications.models import Dossier
from applications.services import TransitionRefused
from reviews.models import (
    Objection,
)
from reviews.publicity import clear_for_publication

ANONYMOUS_NAMES = {"匿名", "无名", "佚名", "anonymous", "anon", "n/a", "-"}


def is_anonymous(name, contact):
    """第十七条 (objections) and 第二十五条 (reports) take real names with contact details only."""
    return not name.strip() or name.strip().lower() in ANONYMOUS_NAMES or not contact.strip()


def submit_objection(entry, *, objector_kind, name, phone, content, evidence=None, now=None):
    """A real-name written objection within the publicity period (第十七条); anonymous ones are refused."""
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
    with transaction.atomic():
        objection = Objection.objects.create(
            dossier=entry.dossier,
            objector_kind=objector_kind,
            objector_name=name.strip(),
            objector_phone=phone.strip(),
            content=content,
        )
        if evidence:
            objection.evidence.save(evidence.name, evidence)
        title = _("Objection received for %(organisation)s (publicity %(batch)s)") % {
            "organisation": entry.dossier.organisation,
            "batch": batch,
        }
        staff = list(scoping.city_staff())
        transaction.on_commit(lambda: notify(staff, title=title, url=f"/city/publicity/{batch.pk}/"))
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
