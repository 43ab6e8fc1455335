"""第二十五条: real-name reports about a listed unit or an agency — the unit's district verifies and
proposes, the city decides (rectification, removal, or a 3-year bar of the agency)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.notifications import notify
from applications.models import Dossier, RemovalGround, State
from applications.services import TransitionRefused
from registry.models import Report
from registry.services import remove_from_list
from reviews import receipts
from reviews.objections import is_anonymous


def file_report(
    *, organisation=None, agency=None, name, contact, content, evidence=None, email="", now=None, track_url=None
):
    """第二十五条: a real-name report with evidence; one about a unit goes to the unit's district to verify.

    Like an objection, the report gets a 受理编号 and an access code (``access_code`` on the returned row,
    emailed if an address was given); the same report sent again within 24 hours returns the first row with
    ``is_duplicate`` set.
    """
    if (organisation is None) == (agency is None):
        raise TransitionRefused(_("Name either a listed unit or an agency."))
    if is_anonymous(name, contact):
        raise TransitionRefused(
            _("Anonymous reports are not accepted (Art. 25): give your real name and contact details.")
        )
    if not evidence:
        raise TransitionRefused(
            _("Please attach the evidence (Art. 25): a real-name report is accepted with supporting material.")
        )
    year = timezone.localdate(now).year
    target = f"organisation:{organisation.pk}" if organisation else f"agency:{agency.pk}"
    print_ = receipts.fingerprint("report", target, name, contact, content)
    with transaction.atomic():
        receipts.lock_series(receipts.REPORT_SERIES, year)
        earlier = receipts.recent_duplicate(Report.objects.all(), print_, now=now, date_field="received_at")
        if earlier is not None:
            earlier.is_duplicate, earlier.access_code = True, None
            return earlier
        code = receipts.new_code()
        report = Report.objects.create(
            organisation=organisation,
            agency=agency,
            district_id=organisation.district_id if organisation else None,
            reporter_name=name.strip(),
            reporter_contact=contact.strip(),
            reporter_email=(email or "").strip(),
            content=content,
            received_at=now or timezone.now(),
            receipt_number=receipts.take_number(receipts.REPORT_SERIES, year),
            access_code_hash=receipts.hash_code(code),
            fingerprint=print_,
        )
        report.evidence.save(evidence.name, evidence)
        staff = list(scoping.city_staff())
        title = _("Real-name report received about %(target)s") % {"target": organisation or agency}
        transaction.on_commit(lambda: notify(staff, title=title, url=f"/city/reports/{report.pk}/", needs_action=True))
        if report.district_id:
            officers = list(scoping.district_officers(report.district_id))
            to_verify = _("Real-name report about %(organisation)s to verify (Art. 25)") % {
                "organisation": organisation
            }
            transaction.on_commit(
                lambda: notify(officers, title=to_verify, url=f"/district/reports/{report.pk}/", needs_action=True)
            )
        receipts.email_receipt(
            report.reporter_email, number=report.receipt_number, code=code, what=_("Your report"), track_url=track_url
        )
    report.is_duplicate, report.access_code = False, code
    return report


def share_report_identity(report, *, share, by):
    """The city shares (or withdraws) the reporter's name and contact with the verifying district."""
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.district_id is None:
            raise TransitionRefused(_("A report about an agency stays with the city."))
        locked.identity_shared = bool(share)
        locked.identity_shared_by, locked.identity_shared_at = by, timezone.now()
        locked._history_user = by
        locked.save()
    return locked


def propose_report_outcome(report, *, findings, proposal, by):
    """第二十五条: the district of the unit concerned records its verification and proposes; the city decides."""
    if report.district_id is None or by.district_id != report.district_id:
        raise TransitionRefused(_("Only the district of the unit concerned verifies this report."))
    if proposal not in Report.Proposal.values:
        raise TransitionRefused(_("Choose a proposal."))
    if not findings.strip():
        raise TransitionRefused(_("Please record the findings of the verification."))
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.status == Report.Status.DECIDED:
            raise TransitionRefused(_("This report was already decided."))
        locked.district_findings, locked.district_proposal = findings.strip(), proposal
        locked.district_proposed_by, locked.district_proposed_at = by, timezone.now()
        locked.status = Report.Status.VERIFYING
        locked._history_user = by
        locked.save()
        staff = list(scoping.city_staff())
        title = _("Report about %(organisation)s verified by %(district)s: %(proposal)s proposed") % {
            "organisation": locked.organisation,
            "district": locked.district,
            "proposal": locked.get_district_proposal_display(),
        }
        transaction.on_commit(lambda: notify(staff, title=title, url=f"/city/reports/{locked.pk}/", needs_action=True))
    return locked


def assign_report(report, *, to, by):
    report.assigned_to, report.status = to, Report.Status.VERIFYING
    report._history_user = by
    report.save()
    return report


def decide_report(report, *, decision, note, by, rectify_by=None):
    """Unfounded, rectification by a deadline, removal (第二十一条), or for an agency a 3-year bar reported to MIIT."""
    if report.status == Report.Status.DECIDED:
        raise TransitionRefused(_("This report was already decided."))
    if decision not in Report.Decision.values:
        raise TransitionRefused(_("Choose a decision."))
    if not note.strip():
        raise TransitionRefused(_("Please give a reason; it is shown to the applicant and the district."))
    if decision == Report.Decision.RECTIFY and rectify_by is None:
        raise TransitionRefused(_("Give the rectification deadline."))
    if decision == Report.Decision.BAR_AGENCY and report.agency is None:
        raise TransitionRefused(_("Only a report against an agency can bar it."))
    if decision == Report.Decision.REMOVE and report.organisation is None:
        raise TransitionRefused(_("Only a report against a listed unit can remove it."))
    with transaction.atomic():
        report.decision, report.verification = decision, (report.verification + "\n" + note).strip()
        report.decision_note = note.strip()
        report.rectify_by, report.decided_by, report.decided_at = rectify_by, by, timezone.now()
        report.status = Report.Status.DECIDED
        report._history_user = by
        if decision == Report.Decision.REMOVE:
            listed = Dossier.objects.filter(
                organisation=report.organisation, state__in=[State.LISTED, State.RECHECKING]
            )
            if not listed.exists():
                raise TransitionRefused(_("This unit has nothing on a list to remove."))
            for dossier in listed:
                remove_from_list(dossier, ground=RemovalGround.UPHELD_REPORT, reason=note, by=by)
        if decision == Report.Decision.BAR_AGENCY:
            agency = report.agency
            agency.bar(decided_on=timezone.localdate(), reason=note)
            agency._history_user = by
            agency.save()
            report.reported_to_miit = True
        report.save()
        if report.receipt_number:
            receipts.email_outcome(report.reporter_email, number=report.receipt_number)
    return report
