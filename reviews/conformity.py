"""第十六条: the municipal conformity check of a recommended dossier, item by item."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import services as dossier_services
from applications.models import ExclusionCondition
from applications.services import TransitionRefused
from reviews.models import (
    CONFORMITY_ITEMS,
    ConformityCheck,
)

CREDIT_RECORDS_ITEM = "exclusions"  # the checklist item on public credit records (第十二条)


def record_conformity(dossier, *, results, reasons, by):
    """Record the checklist; pass -> in_library, any failed item -> not_passed with the reasons."""
    results = {key: bool(results.get(key)) for key, _label in CONFORMITY_ITEMS}
    passed = all(results.values())
    if not passed and not reasons.strip():
        failed = [str(label) for key, label in CONFORMITY_ITEMS if not results[key]]
        raise TransitionRefused(
            _("Not met: %(items)s. Write the reasons: they are shown to the district and the applicant.")
            % {"items": "；".join(failed)}
        )
    with transaction.atomic():
        ConformityCheck.objects.create(dossier=dossier, results=results, passed=passed, reasons=reasons, checked_by=by)
        if not results[CREDIT_RECORDS_ITEM]:
            # 第十二条第（二）项: what the public credit records show is a dated fact that blocks this unit
            # on every path for 3 years, not only in this dossier.
            dossier_services.record_exclusion(
                dossier.organisation,
                condition=ExclusionCondition.ACCIDENT_OR_VIOLATION,
                event_date=timezone.localdate(),
                evidence=_("Conformity check (Art. 16): %(reasons)s") % {"reasons": reasons},
                by=by,
            )
        name = "pass_conformity" if passed else "fail_conformity"
        return dossier_services.transition(dossier, name, by=by, reason=reasons)
