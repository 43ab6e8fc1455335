"""第十八条: MIIT's national list — import, matching by credit code or name, manual matching of the
rest, and the close of a national round."""

import hashlib
import io
import zipfile

from django import forms
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from applications import services as dossier_services
from applications.credit_code import is_valid, normalise
from applications.models import Dossier, Level, Organisation, Path, State
from registry.models import NationalImport, NationalListing, UnmatchedNationalRow

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


def matcher(rows):
    """``match`` for every row of a sheet with two lookups (credit codes, then names), not two per row."""
    codes = {normalise(code) for _n, _r, _name, code in rows if code and is_valid(code)}
    by_code = {o.credit_code: o for o in Organisation.objects.filter(credit_code__in=codes)}
    names = {name for _n, _r, name, _c in rows}
    by_name = {}
    for organisation in Organisation.objects.filter(name__in=names).order_by("pk"):
        by_name.setdefault(organisation.name, organisation)  # the first, as ``match`` takes it

    def find(name, code):
        found = by_code.get(normalise(code)) if code and is_valid(code) else None
        return found or by_name.get(name)

    return find


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
        find = matcher(rows)
        for number, region, name, code in rows:
            organisation = find(name, code)
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
