"""Following an objection (第十七条) or a real-name report (第二十五条) with its 受理编号 and access code.

An unknown number and a wrong code give the same answer (``None``) in about the same time, so the page
tells nobody which receipt numbers exist.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils.translation import gettext as _

from registry.models import Report
from reviews import receipts
from reviews.models import Objection


@dataclass
class Tracked:
    number: str
    what: str
    subject: str
    status: str
    decided: bool
    submitted_at: datetime
    decided_at: datetime | None
    outcome: str
    outcome_note: str
    rectify_by: date | None = None


def find(number, code):
    """What the holder of ``number`` and ``code`` may read about their submission, or None."""
    number = receipts.normalise_number(number)
    if number.startswith(receipts.OBJECTION_SERIES + "-"):
        row = Objection.objects.select_related("dossier__organisation").filter(receipt_number=number).first()
    elif number.startswith(receipts.REPORT_SERIES + "-"):
        row = Report.objects.select_related("organisation", "agency").filter(receipt_number=number).first()
    else:
        row = None
    if not receipts.code_matches(code, row.access_code_hash if row else ""):
        return None
    if isinstance(row, Objection):
        decided = row.status != Objection.Status.PENDING
        return Tracked(
            number=row.receipt_number,
            what=_("Objection (Art. 17)"),
            subject=row.dossier.organisation.name,
            status=row.get_status_display(),
            decided=decided,
            submitted_at=row.submitted_at,
            decided_at=row.decided_at,
            outcome=row.get_status_display() if decided else "",
            outcome_note=row.decision_note if decided else "",
        )
    decided = row.status == Report.Status.DECIDED
    return Tracked(
        number=row.receipt_number,
        what=_("Real-name report (Art. 25)"),
        subject=str(row.organisation or row.agency),
        status=row.get_status_display(),
        decided=decided,
        submitted_at=row.received_at,
        decided_at=row.decided_at,
        outcome=row.get_decision_display() if decided else "",
        outcome_note=row.decision_note if decided else "",
        rectify_by=row.rectify_by if decided else None,
    )
