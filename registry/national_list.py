"""第十八条: MIIT's national list — import, matching by credit code or name, manual matching of the
rest, and the close of a national round."""

import hashlib
import io
import zipfile

from django import forms
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from applications import services as dossier_services
from applications.credit_code import is_valid, normalise
from applications.models import TRANSITION_LABELS, Dossier, Level, Organisation, Path, State
from registry.listing import public_list_changed
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
    """([(row number, region, name, credit code)], SHA-256 of the file) from a sheet with columns 序号, 地区, 名称
    [, 统一社会信用代码]. At most ``IMPORT_MAX_ROWS`` rows; a larger sheet is refused whole."""
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
            if len(parsed) > settings.IMPORT_MAX_ROWS:
                raise forms.ValidationError(
                    _("The sheet has more than %(n)d rows: please split it into several files of at most %(n)d rows.")
                    % {"n": settings.IMPORT_MAX_ROWS}
                )
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


def _national_import(*, year, kind, digest, filename, by):
    national_import, _created = NationalImport.objects.get_or_create(
        year=year, kind=kind, digest=digest, defaults={"filename": filename[:200], "imported_by": by}
    )
    return national_import


def import_national_list(uploaded, *, year, kind, by):
    """Match rows by credit code, then exact name; unmatched rows are kept for manual matching. Idempotent.

    The whole sheet in one transaction (a sheet of up to ``IMPORT_SYNC_ROWS`` rows, while the user waits;
    larger ones go through ``applications.imports`` in the background). Returns (import, new listings,
    unmatched rows)."""
    rows, digest = read_national_list(uploaded)
    return import_read_list(rows, digest=digest, filename=uploaded.name, year=year, kind=kind, by=by)


def import_read_list(rows, *, digest, filename, year, kind, by):
    """``import_national_list`` of rows already read (``read_national_list``)."""
    with transaction.atomic():
        national_import = _national_import(year=year, kind=kind, digest=digest, filename=filename, by=by)
        results = import_rows(national_import, rows, by=by)
    unmatched = list(
        national_import.unmatched.filter(row_number__in=[r.line for r in results if not r.ok]).order_by("row_number")
    )
    return national_import, sum(r.created for r in results), unmatched


def import_rows(national_import, rows, *, by, progress=None, chunk=1000):
    """Apply ``rows`` of ``national_import``, ``chunk`` rows at a time, each chunk in its own transaction
    (a savepoint inside the caller's). Each row gets its result (``services.BulkRow``, with ``created``: a new
    listing); ``progress(rows_done)`` is called after each chunk. Rerunning is harmless (idempotent)."""
    results = []
    for start in range(0, len(rows), chunk):
        with transaction.atomic():
            results += _apply_chunk(national_import, rows[start : start + chunk], by=by)
        if progress is not None:
            progress(len(results))
    return results


def _apply_chunk(national_import, rows, *, by):
    """What ``apply_national_listing`` does row by row, for a chunk in a few statements.

    Units with a nominated dossier of the kind (the round's nominees: few) go through ``apply_national_listing``
    one by one, each in a savepoint: their transition keeps its guards, log and notifications, and a refused
    one leaves nothing behind and is reported. For all the others the same records are written in bulk: the
    listings (with history), the national level of their listed dossiers (one UPDATE, history rows), and the
    dossiers entered from the list (``enter_national_list``: history, one log row each, the same
    notifications)."""
    from applications import bulk

    year, kind = national_import.year, national_import.kind
    find = matcher(rows)
    results, first = [], {}
    for number, region, name, code in rows:
        organisation = find(name, code)
        result = dossier_services.BulkRow(number, code, name, organisation is not None, "")
        result.created, result.organisation, result.region = False, organisation, region
        results.append(result)
        if organisation is None:
            result.message = _("No unit has this credit code or name: match the row by hand on the national list page.")
        elif organisation.pk not in first:
            first[organisation.pk] = result
        else:
            result.message = _("The unit is on an earlier row of the list.")
    _keep_unmatched(national_import, [r for r in results if not r.ok])
    if not first:
        return results
    ids = list(first)
    listed = set(
        NationalListing.objects.filter(year=year, kind=kind, organisation_id__in=ids).values_list(
            "organisation_id", flat=True
        )
    )
    dossiers = {}
    for dossier in Dossier.objects.filter(
        organisation_id__in=ids, kind=kind, state__in=[State.NOMINATED, State.LISTED, State.RECHECKING]
    ).order_by("pk"):
        dossiers.setdefault(dossier.organisation_id, []).append(dossier)
    reason = _("MIIT national list %(year)d") % {"year": year}
    nominees = {pk for pk, found in dossiers.items() if any(d.state == State.NOMINATED for d in found)}
    for pk in nominees:
        result = first.pop(pk)
        try:
            with transaction.atomic():
                _listing, result.created = apply_national_listing(
                    year=year, kind=kind, organisation=result.organisation, name=result.name,
                    region=result.region, by=by,
                )  # fmt: skip
        except dossier_services.TransitionRefused as refused:
            result.ok, result.message = False, refused.message
        else:
            result.message = _("On the national list: the nominated dossier is listed at national level.")
    now = timezone.now()
    new = [
        NationalListing(year=year, kind=kind, organisation_id=pk, name_in_list=r.name[:200], region=r.region[:50])
        for pk, r in first.items()
        if pk not in listed
    ]
    if new:
        bulk.insert(NationalListing, new, now=now)
        keys = dict(
            NationalListing.objects.filter(
                year=year, kind=kind, organisation_id__in=[listing.organisation_id for listing in new]
            ).values_list("organisation_id", "pk")
        )
        for listing in new:
            listing.pk = keys[listing.organisation_id]
            first[listing.organisation_id].created = True
        bulk.history(NationalListing, new, by=by, reason=None, now=now)
    raised = [d for pk in first for d in dossiers.get(pk, ()) if d.level != Level.NATIONAL]
    if raised:
        _raise_to_national(raised, by=by, now=now)
    entered = _enter_national_list([r.organisation for pk, r in first.items() if pk not in dossiers], year=year,
                                   kind=kind, by=by, reason=reason, now=now)  # fmt: skip
    for pk, result in first.items():
        if pk in entered:
            result.message = _("On the national list: entered here as a listed unit at national level.")
        elif pk in dossiers:
            result.message = _("On the national list: the listed dossier is at national level.")
        else:
            result.message = _(
                "On the national list; no dossier entered (an Art. 12 exclusion, or a dossier of this year exists)."
            )
    if new or raised or entered or nominees:
        public_list_changed()  # bulk writes send no post_save (the public list's cache)
    return results


def _keep_unmatched(national_import, results):
    """``UnmatchedNationalRow.get_or_create`` for each unmatched row, in two statements."""
    if not results:
        return
    kept = set(
        national_import.unmatched.filter(row_number__in=[r.line for r in results]).values_list("row_number", flat=True)
    )
    UnmatchedNationalRow.objects.bulk_create(
        [
            UnmatchedNationalRow(
                national_import=national_import, row_number=r.line, region=r.region, name=r.name, credit_code=r.code
            )
            for r in results
            if r.line not in kept
        ]
    )


def _raise_to_national(dossiers, *, by, now):
    """The listed dossiers' level becomes national, as ``apply_national_listing`` saves it (history row with
    its change reason), in one UPDATE."""
    from applications import bulk

    for dossier in dossiers:
        dossier.level, dossier.updated_at = Level.NATIONAL, now
        dossier._history_user, dossier._change_reason = by, "第十八条：列入国家层面名单"
    Dossier.objects.filter(pk__in=[d.pk for d in dossiers], state__in=[State.LISTED, State.RECHECKING]).update(
        level=Level.NATIONAL, updated_at=now
    )
    bulk.history(Dossier, dossiers, by=by, update=True, now=now)


def _enter_national_list(organisations, *, year, kind, by, reason, now):
    """``services.enter_national_list`` for units with no nominated or listed dossier of the kind: a dossier
    listed at national level, its history, one log row and the log's notifications. Not for a unit under
    an Art. 12 exclusion, nor one with a dossier of this kind and year. Returns the organisations' keys."""
    from accounts.models import Role, User
    from accounts.notifications import notify_each
    from applications import bulk
    from applications.models import ExclusionDeclaration
    from applications.models import guards as g

    if not organisations:
        return set()
    ids = [o.pk for o in organisations]
    taken = set(
        Dossier.objects.filter(organisation_id__in=ids, kind=kind, cycle_year=year).values_list(
            "organisation_id", flat=True
        )
    )
    may_be_excluded = set(
        ExclusionDeclaration.objects.filter(organisation_id__in=ids, applies=True, lifted_at__isnull=True).values_list(
            "organisation_id", flat=True
        )
    )
    dossiers = []
    for organisation in organisations:
        dossier = Dossier(organisation=organisation, kind=kind, cycle_year=year, state=State.LISTED)
        if organisation.pk in taken or (organisation.pk in may_be_excluded and not g.no_exclusion(dossier)):
            continue
        dossier._enter_list(Level.NATIONAL, None)
        dossier._history_user, dossier._change_reason = by, "enter_national_list"
        dossiers.append(dossier)
    if not dossiers:
        return set()
    bulk.create_dossiers(
        dossiers, kind=kind, year=year, transition="enter_national_list", by=by, reason=reason, now=now
    )
    # ``accounts.notifications.notify_transition`` for each log row: the applicant's users and the district's
    # officers, except the actor
    recipients = {}
    people = User.objects.filter(is_active=True).filter(
        Q(role=Role.APPLICANT, organisation_id__in=ids)
        | Q(role=Role.DISTRICT, district_id__in={d.organisation.district_id for d in dossiers})
    )
    if by is not None:
        people = people.exclude(pk=by.pk)
    for user in people:
        key = ("o", user.organisation_id) if user.role == Role.APPLICANT else ("d", user.district_id)
        recipients.setdefault(key, []).append(user)
    label, state = TRANSITION_LABELS["enter_national_list"], State.LISTED.label
    items = []
    for d in dossiers:
        users = recipients.get(("o", d.organisation_id), []) + recipients.get(("d", d.organisation.district_id), [])
        if users:
            title = _("%(organisation)s (%(year)s): %(action)s → %(state)s") % {
                "organisation": d.organisation.name,
                "year": d.cycle_year,
                "action": label,
                "state": state,
            }
            items.append((users, title, reason, reverse("dossier_detail", args=[d.pk])))
    if items:
        transaction.on_commit(lambda: notify_each(items))
    return {d.organisation_id for d in dossiers}


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
