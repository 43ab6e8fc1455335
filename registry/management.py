"""Dynamic management after listing: rechecks (第二十一条), real-name reports (第二十五条), national list (第十八条)."""

import hashlib
import io
import zipfile

from django import forms
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from accounts import scoping
from accounts.notifications import notify
from applications import services as dossier_services
from applications.credit_code import is_valid, normalise
from applications.models import Dossier, Level, Organisation, Path, RemovalGround, State
from registry.models import NationalImport, NationalListing, Recheck, Report, UnmatchedNationalRow
from registry.services import remove_from_list
from reviews.municipal import is_anonymous

Refused = dossier_services.TransitionRefused


# ---- 第二十一条: triennial recheck ----------------------------------------------------------------


def recheck_of(dossier, now=None):
    """The open recheck of a dossier under recheck (created on first need)."""
    year = timezone.localdate(now).year
    recheck = Recheck.objects.filter(dossier=dossier, decided_at__isnull=True).first()
    return recheck or Recheck.objects.create(dossier=dossier, year=year, opened_at=now or timezone.now())


def propose_recheck(recheck, *, findings, proposal, evidence=None, by):
    if Dossier.objects.get(pk=recheck.dossier_id).state != State.RECHECKING or recheck.decided_at:
        raise Refused(_("This recheck is not open."))
    if not findings.strip():
        raise Refused(_("Please record the findings of the recheck."))
    with transaction.atomic():
        recheck.findings, recheck.proposal = findings, proposal
        recheck.proposed_by, recheck.proposed_at = by, timezone.now()
        if evidence:
            recheck.evidence.save(evidence.name, evidence, save=False)
        recheck._history_user = by
        recheck.save()
        staff = list(scoping.city_staff())
        title = _("Recheck of %(organisation)s: %(proposal)s proposed") % {
            "organisation": recheck.dossier.organisation,
            "proposal": recheck.get_proposal_display(),
        }
        transaction.on_commit(lambda: notify(staff, title=title, url="/rechecks/"))
    return recheck


def decide_recheck(recheck, *, decision, note, by, rectify_by=None, ground=RemovalGround.EXCLUSION_CONDITION):
    """The city decides: keep (listed again, next recheck in 3 years), rectify (kept, with a deadline) or remove."""
    if not recheck.proposal:
        raise Refused(_("The district has not proposed an outcome yet."))
    if decision == Recheck.Proposal.RECTIFY and rectify_by is None:
        raise Refused(_("Give the rectification deadline."))
    with transaction.atomic():
        recheck.dossier = Dossier.objects.get(pk=recheck.dossier_id)  # act on the state as it is now
        recheck.decision, recheck.decision_note, recheck.rectify_by = decision, note, rectify_by
        recheck.decided_by, recheck.decided_at = by, timezone.now()
        recheck._history_user = by
        recheck.save()
        if decision == Recheck.Proposal.REMOVE:
            remove_from_list(recheck.dossier, ground=ground, reason=note or recheck.findings, by=by)
        else:
            dossier_services.transition(recheck.dossier, "keep_after_recheck", by=by, reason=note or recheck.findings)
    return recheck


# ---- 第二十五条: real-name reports ----------------------------------------------------------------


def file_report(*, organisation=None, agency=None, name, contact, content, evidence=None):
    """第二十五条: a real-name report with evidence; one about a unit goes to the unit's district to verify."""
    if (organisation is None) == (agency is None):
        raise Refused(_("Name either a listed unit or an agency."))
    if is_anonymous(name, contact):
        raise Refused(_("Anonymous reports are not accepted (Art. 25): give your real name and contact details."))
    if not evidence:
        raise Refused(
            _("Please attach the evidence (Art. 25): a real-name report is accepted with supporting material.")
        )
    with transaction.atomic():
        report = Report.objects.create(
            organisation=organisation,
            agency=agency,
            district_id=organisation.district_id if organisation else None,
            reporter_name=name.strip(),
            reporter_contact=contact.strip(),
            content=content,
        )
        report.evidence.save(evidence.name, evidence)
        staff = list(scoping.city_staff())
        title = _("Real-name report received about %(target)s") % {"target": organisation or agency}
        transaction.on_commit(lambda: notify(staff, title=title, url=f"/city/reports/{report.pk}/"))
        if report.district_id:
            officers = list(scoping.district_officers(report.district_id))
            to_verify = _("Real-name report about %(organisation)s to verify (Art. 25)") % {
                "organisation": organisation
            }
            transaction.on_commit(lambda: notify(officers, title=to_verify, url=f"/district/reports/{report.pk}/"))
    return report


def share_report_identity(report, *, share, by):
    """The city shares (or withdraws) the reporter's name and contact with the verifying district."""
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.district_id is None:
            raise Refused(_("A report about an agency stays with the city."))
        locked.identity_shared = bool(share)
        locked.identity_shared_by, locked.identity_shared_at = by, timezone.now()
        locked._history_user = by
        locked.save()
    return locked


def propose_report_outcome(report, *, findings, proposal, by):
    """第二十五条: the district of the unit concerned records its verification and proposes; the city decides."""
    if report.district_id is None or by.district_id != report.district_id:
        raise Refused(_("Only the district of the unit concerned verifies this report."))
    if proposal not in Report.Proposal.values:
        raise Refused(_("Choose a proposal."))
    if not findings.strip():
        raise Refused(_("Please record the findings of the verification."))
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.status == Report.Status.DECIDED:
            raise Refused(_("This report was already decided."))
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
        transaction.on_commit(lambda: notify(staff, title=title, url=f"/city/reports/{locked.pk}/"))
    return locked


def assign_report(report, *, to, by):
    report.assigned_to, report.status = to, Report.Status.VERIFYING
    report._history_user = by
    report.save()
    return report


def decide_report(report, *, decision, note, by, rectify_by=None):
    """Unfounded, rectification by a deadline, removal (第二十一条), or for an agency a 3-year bar reported to MIIT."""
    if report.status == Report.Status.DECIDED:
        raise Refused(_("This report was already decided."))
    if decision not in Report.Decision.values:
        raise Refused(_("Choose a decision."))
    if not note.strip():
        raise Refused(_("Please give a reason; it is shown to the applicant and the district."))
    if decision == Report.Decision.RECTIFY and rectify_by is None:
        raise Refused(_("Give the rectification deadline."))
    if decision == Report.Decision.BAR_AGENCY and report.agency is None:
        raise Refused(_("Only a report against an agency can bar it."))
    if decision == Report.Decision.REMOVE and report.organisation is None:
        raise Refused(_("Only a report against a listed unit can remove it."))
    with transaction.atomic():
        report.decision, report.verification = decision, (report.verification + "\n" + note).strip()
        report.rectify_by, report.decided_by, report.decided_at = rectify_by, by, timezone.now()
        report.status = Report.Status.DECIDED
        report._history_user = by
        if decision == Report.Decision.REMOVE:
            listed = Dossier.objects.filter(
                organisation=report.organisation, state__in=[State.LISTED, State.RECHECKING]
            )
            if not listed.exists():
                raise Refused(_("This unit has nothing on a list to remove."))
            for dossier in listed:
                remove_from_list(dossier, ground=RemovalGround.UPHELD_REPORT, reason=note, by=by)
        if decision == Report.Decision.BAR_AGENCY:
            agency = report.agency
            agency.bar(decided_on=timezone.localdate(), reason=note)
            agency._history_user = by
            agency.save()
            report.reported_to_miit = True
        report.save()
    return report


# ---- 第十八条: MIIT's national list ----------------------------------------------------------------

HEADERS = {
    "序号": "number",
    "地区": "region",
    "名称": "name",
    "单位名称": "name",
    "企业名称": "name",
    "统一社会信用代码": "credit_code",
    "信用代码": "credit_code",
}


def read_national_list(uploaded):
    """[(row number, region, name, credit code)] from a sheet with columns 序号, 地区, 名称 [, 统一社会信用代码]."""
    content = uploaded.read()
    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise forms.ValidationError(_("This file is not an Excel workbook (.xlsx).")) from None
    rows = list(sheet.iter_rows(values_only=True))
    if not rows:
        raise forms.ValidationError(_("The sheet has no rows."))
    columns = {
        HEADERS.get(str(h).strip()): i for i, h in enumerate(rows[0]) if h is not None and str(h).strip() in HEADERS
    }
    if "name" not in columns:
        raise forms.ValidationError(
            _("The first row must name the columns 序号, 地区, 名称 (and optionally 统一社会信用代码).")
        )
    parsed = []
    for number, row in enumerate(rows[1:], start=2):

        def cell(key, row=row):
            index = columns.get(key)
            return "" if index is None or index >= len(row) or row[index] is None else str(row[index]).strip()

        if cell("name"):
            parsed.append((number, cell("region"), cell("name"), cell("credit_code")))
    return parsed, hashlib.sha256(content).hexdigest()


def match(name, code):
    if code and is_valid(code):
        found = Organisation.objects.filter(credit_code=normalise(code)).first()
        if found:
            return found
    return Organisation.objects.filter(name=name).first()


def apply_national_listing(*, year, kind, organisation, name, region, by):
    """第十八条: the unit is national, and on the municipal list too.

    A nominated dossier becomes listed; a listed one becomes national. A unit with no dossier of this
    kind here (listed by MIIT through another route) gets one, listed at national level, so that every
    after-listing rule (annual form, recheck, removal) applies to it as to any other listed unit.
    """
    listing, created = NationalListing.objects.get_or_create(
        year=year, kind=kind, organisation=organisation, defaults={"name_in_list": name, "region": region}
    )
    reason = _("MIIT national list %(year)d") % {"year": year}
    nominated = Dossier.objects.filter(organisation=organisation, kind=kind, state=State.NOMINATED)
    for dossier in nominated:
        dossier_services.transition(dossier, "include_in_national_list", by=by, reason=reason, via=Path.IMPORT)
    on_list = Dossier.objects.filter(organisation=organisation, kind=kind, state__in=[State.LISTED, State.RECHECKING])
    for dossier in on_list.exclude(level=Level.NATIONAL):
        dossier.level = Level.NATIONAL
        dossier._history_user = by
        dossier._change_reason = "第十八条：列入国家层面名单"
        dossier.save(update_fields=["level", "updated_at"])
    if not nominated.exists() and not on_list.exists():
        dossier_services.enter_national_list(organisation, kind=kind, year=year, by=by, reason=reason)
    return listing, created


def import_national_list(uploaded, *, year, kind, by):
    """Match rows by credit code, then exact name; unmatched rows are kept for manual matching. Idempotent."""
    rows, digest = read_national_list(uploaded)
    with transaction.atomic():
        national_import, _created = NationalImport.objects.get_or_create(
            year=year, kind=kind, digest=digest, defaults={"filename": uploaded.name, "imported_by": by}
        )
        added, unmatched = 0, []
        for number, region, name, code in rows:
            organisation = match(name, code)
            if organisation is None:
                row, _new = UnmatchedNationalRow.objects.get_or_create(
                    national_import=national_import,
                    row_number=number,
                    defaults={"region": region, "name": name, "credit_code": code},
                )
                unmatched.append(row)
                continue
            _listing, created = apply_national_listing(
                year=year, kind=kind, organisation=organisation, name=name, region=region, by=by
            )
            added += created
    return national_import, added, unmatched


def match_row(row, *, organisation, by):
    with transaction.atomic():
        row.matched_to = organisation
        row.save()
        ni = row.national_import
        return apply_national_listing(
            year=ni.year, kind=ni.kind, organisation=organisation, name=row.name, region=row.region, by=by
        )


def close_national_round(*, year, kind, by):
    """Nominated units of the round missing from MIIT's list become not_passed (reason kept)."""
    listed = NationalListing.objects.filter(year=year, kind=kind).values("organisation")
    closed = []
    for dossier in Dossier.objects.filter(state=State.NOMINATED, kind=kind, cycle_year__lte=year).exclude(
        organisation__in=listed
    ):
        reason = _("Not included in MIIT's %(year)d national list") % {"year": year}
        closed.append(
            dossier_services.transition(dossier, "exclude_from_national_list", by=by, reason=reason, via=Path.IMPORT)
        )
    NationalImport.objects.filter(year=year, kind=kind, closed_at__isnull=True).update(closed_at=timezone.now())
    return closed
