"""The annual dynamic-management form (第十九条, 第二十条): open, submit, check, and declared changes."""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.notifications import notify
from applications.models import (
    AnnualChange,
    AnnualReport,
    Dossier,
    ExclusionCondition,
    ExclusionDeclaration,
    IndicatorSet,
    State,
)
from applications.models.annual import ANNUAL_DUE_MONTH_DAY
from applications.services import TransitionRefused

CHANGE_TARGETS = {  # 第二十条: which organisation field an approved change updates
    AnnualChange.Field.NAME: "name",
    AnnualChange.Field.SCOPE: "production_scope",
    AnnualChange.Field.ADDRESS: "address",
    AnnualChange.Field.BOUNDARY: "boundary",
    AnnualChange.Field.OWNERSHIP: "ownership",
}


def indicator_set_from_template(year, template, *, totals=(), note=""):
    """第十九条: the year's annual indicators are the template's quantitative indicators (same codes), so a
    unit's figures compare year on year and with its evaluation; ``totals`` adds (code, name, unit, higher)."""
    from applications.models import Direction, Indicator, ItemKind

    indicator_set = IndicatorSet.objects.create(year=year, note=note or str(template))
    order = 0
    for order, item in enumerate(template.ordered_items().filter(kind=ItemKind.QUANTITATIVE), start=1):
        Indicator.objects.create(
            indicator_set=indicator_set,
            code=item.code,
            name=item.text,
            unit=item.unit,
            higher_is_better=item.direction == Direction.HIGHER,
            order=order,
        )
    for extra, (code, name, unit, higher) in enumerate(totals, start=order + 1):
        Indicator.objects.create(
            indicator_set=indicator_set, code=code, name=name, unit=unit, higher_is_better=higher, order=extra
        )
    return indicator_set


def comparison_rows(report):
    """Each indicator of the form beside the unit's previous form and its submitted evaluation (same codes)."""
    from applications.evaluations import quantitative_history

    indicators = {i.code: i for i in indicators_for(report.year)}
    previous = (
        AnnualReport.objects.filter(dossier=report.dossier, year=report.year - 1)
        .values_list("values", flat=True)
        .first()
        or {}
    )
    evaluated = quantitative_history(report.dossier.organisation)
    rows = []
    for code, value in report.values.items():
        indicator = indicators.get(code)
        at_evaluation = evaluated.get(code, {})
        rows.append(
            {
                "name": indicator.name if indicator else code,
                "unit": indicator.unit if indicator else "",
                "value": value,
                "previous": previous.get(code),
                "evaluation": at_evaluation.get(report.dossier.cycle_year)
                or next(reversed(at_evaluation.values()), None),
                "flagged": code in {flag["code"] for flag in report.flags or []},
            }
        )
    return rows


def form_year(dossier, today):
    """The year whose form the unit files now (第十九条: units listed before that year), or None if none is due yet."""
    if dossier.listed_on is None or dossier.listed_on >= datetime.date(today.year, 1, 1):
        return None
    return today.year


def open_report(dossier, year):
    """The unit's form of ``year`` (created on first need; due 15 March)."""
    report, _created = AnnualReport.objects.get_or_create(
        dossier=dossier, year=year, defaults={"due_on": datetime.date(year, *ANNUAL_DUE_MONTH_DAY)}
    )
    return report


def last_due_year(today):
    """The latest year whose form was due by ``today`` (第十九条: by 15 March)."""
    return today.year if today > datetime.date(today.year, *ANNUAL_DUE_MONTH_DAY) else today.year - 1


def open_reports(dossier_ids, year):
    """The forms of ``year`` of the dossiers ``dossier_ids`` (a sweep's chunk, rows it has claimed):
    {dossier pk: report}.

    What ``open_report`` does for each, in a few statements: one read of the existing forms, one insert of
    the missing ones and one of their history rows ("+", as a first save). Should someone open one of the
    forms meanwhile (the applicant's form page), the unique (dossier, year) refuses the insert and the chunk
    falls back to ``get_or_create`` row by row, as ``open_report``.
    """
    dossier_ids = list(dossier_ids)
    due_on = datetime.date(year, *ANNUAL_DUE_MONTH_DAY)
    reports = {r.dossier_id: r for r in AnnualReport.objects.filter(dossier_id__in=dossier_ids, year=year)}
    missing = [AnnualReport(dossier_id=pk, year=year, due_on=due_on) for pk in dossier_ids if pk not in reports]
    if missing:
        try:
            with transaction.atomic():
                AnnualReport.objects.bulk_create(missing, batch_size=500)
                AnnualReport.history.bulk_history_create(missing, batch_size=500, default_change_reason=None)
        except IntegrityError:
            return {
                pk: AnnualReport.objects.get_or_create(dossier_id=pk, year=year, defaults={"due_on": due_on})[0]
                for pk in dossier_ids
            }
        reports.update({r.dossier_id: r for r in missing})
    return reports


def missing_reports(year):
    """Units on a list since before ``year`` (第十九条) that have no form of ``year`` yet."""
    has_form = AnnualReport.objects.filter(dossier=OuterRef("pk"), year=year)
    return Dossier.objects.filter(
        state__in=[State.LISTED, State.RECHECKING], listed_on__lt=datetime.date(year, 1, 1)
    ).exclude(Exists(has_form))


def open_missing_reports(year):
    """第十九条: the form of ``year`` for every unit on a list since before that year that has none yet.

    A unit listed during ``year`` files from the next year (as ``form_year``). In chunks that commit as they
    go (``greenfactory.chunks``), each claiming its dossiers and opening their forms at once
    (``open_reports``): a second run, or a reminder run at the same moment, adds nothing.
    """
    from greenfactory.chunks import claim, in_chunks

    def open_chunk(pks):
        rows = claim(missing_reports(year).filter(pk__in=pks), of=("self",)).order_by("pk")
        return list(open_reports(rows.values_list("pk", flat=True), year).values())

    return in_chunks(missing_reports(year).order_by("pk").values_list("pk", flat=True), open_chunk)


def indicators_for(year):
    indicator_set = IndicatorSet.objects.filter(year__lte=year).prefetch_related("indicators").first()
    return list(indicator_set.indicators.all()) if indicator_set else []


def worsened(report, indicators):
    """Indicators worse than the previous year's form by more than their threshold (for an on-site assessment)."""
    previous = (
        AnnualReport.objects.filter(dossier=report.dossier, year__lt=report.year, submitted_at__isnull=False)
        .order_by("-year")
        .first()
    )
    if previous is None:
        return []
    flags = []
    for indicator in indicators:
        try:
            before, now = Decimal(previous.values[indicator.code]), Decimal(report.values[indicator.code])
        except (KeyError, InvalidOperation, TypeError):
            continue
        if before == 0:
            continue
        change = (now - before) / abs(before) * 100
        worse_by = -change if indicator.higher_is_better else change
        if worse_by > indicator.worsen_threshold:
            flags.append(
                {
                    "code": indicator.code,
                    "name": indicator.name,
                    "before": str(before),
                    "now": str(now),
                    "worse_by": str(worse_by.quantize(Decimal("0.1"))),
                }
            )
    return flags


def submit_report(report, *, values, compliance, changes, by):
    """The unit files its form: indicators, the Art. 12 answers for the past year, declared changes (第二十条)."""
    indicators = indicators_for(report.year)
    missing = [i.name for i in indicators if i.required and values.get(i.code) in (None, "")]
    if missing:
        raise TransitionRefused(_("Please fill in the required indicators: %(names)s.") % {"names": "、".join(missing)})
    with transaction.atomic():
        locked = AnnualReport.objects.select_for_update().get(pk=report.pk)
        if locked.status not in (AnnualReport.Status.DUE, AnnualReport.Status.CORRECTION):
            raise TransitionRefused(_("This form was already submitted."))
        locked.values = {code: str(value) for code, value in values.items() if value not in (None, "")}
        locked.compliance = compliance
        locked.flags = worsened(locked, indicators)
        locked.status, locked.submitted_at, locked.submitted_by = AnnualReport.Status.SUBMITTED, timezone.now(), by
        locked._history_user = by
        locked.save()
        locked.changes.filter(status=AnnualChange.Status.DECLARED).delete()  # a resubmission replaces undecided ones
        for field, new_value, explanation in changes:
            AnnualChange.objects.create(report=locked, field=field, new_value=new_value, explanation=explanation)
        organisation = locked.dossier.organisation
        for condition, answer in compliance.items():
            if answer.get("applies"):
                ExclusionDeclaration.objects.create(
                    organisation=organisation,
                    condition=ExclusionCondition(int(condition)),
                    applies=True,
                    evidence=answer.get("evidence", ""),
                    declared_by=by,
                )
        officers = list(scoping.district_officers(organisation.district_id))
        title = _("%(organisation)s filed its %(year)d annual form") % {
            "organisation": organisation,
            "year": locked.year,
        }
        if locked.flags:
            title += _(" — indicators worsened: on-site assessment suggested")
        transaction.on_commit(
            lambda: notify(
                officers, title=title, url=f"/annual/{locked.pk}/", dossier=locked.dossier_id, needs_action=True
            )
        )
    return locked


def check_report(report, *, accept, note, by):
    """The district accepts the form or asks for corrections (with what to correct)."""
    if not accept and not note.strip():
        raise TransitionRefused(_("Please say what must be corrected."))
    with transaction.atomic():
        locked = AnnualReport.objects.select_for_update().get(pk=report.pk)
        if locked.status != AnnualReport.Status.SUBMITTED:
            raise TransitionRefused(_("Only a submitted form can be checked."))
        locked.status = AnnualReport.Status.ACCEPTED if accept else AnnualReport.Status.CORRECTION
        locked.district_note = note
        locked._history_user = by
        locked.save()
        users = list(locked.dossier.organisation.users.filter(is_active=True))
        title = _("Your %(year)d annual form: %(status)s") % {
            "year": locked.year,
            "status": locked.get_status_display(),
        }
        transaction.on_commit(
            lambda: notify(
                users,
                title=title,
                body=note,
                url=f"/annual/{locked.pk}/",
                dossier=locked.dossier_id,
                needs_action=not accept,
            )
        )
    return locked


def propose_change(change, *, opinion, by):
    """第二十条: the district has verified the change (the unit completed its formalities) and proposes it."""
    with transaction.atomic():
        locked = AnnualChange.objects.select_for_update().get(pk=change.pk)
        if locked.status != AnnualChange.Status.DECLARED:
            raise TransitionRefused(_("This change was already handled."))
        locked.status, locked.district_opinion, locked.proposed_by = AnnualChange.Status.PROPOSED, opinion, by
        locked._history_user = by
        locked.save()
        staff = list(scoping.city_staff())
        title = _("Change proposed by %(district)s: %(change)s") % {"district": by.district, "change": locked}
        transaction.on_commit(lambda: notify(staff, title=title, url="/city/changes/", needs_action=True))
    return locked


def decide_change(change, *, approve, note, by):
    """The city decides a proposed change; an approval updates the organisation (its history keeps the old value)."""
    if not approve and not note.strip():
        raise TransitionRefused(_("Please give a reason; it is shown to the applicant and the district."))
    with transaction.atomic():
        locked = (
            AnnualChange.objects.select_for_update().select_related("report__dossier__organisation").get(pk=change.pk)
        )
        if locked.status != AnnualChange.Status.PROPOSED:
            raise TransitionRefused(_("Only a change proposed by the district can be decided."))
        locked.status = AnnualChange.Status.APPROVED if approve else AnnualChange.Status.REJECTED
        locked.decided_by, locked.decided_at = by, timezone.now()
        locked.district_opinion = (locked.district_opinion + "\n" + note).strip() if note else locked.district_opinion
        locked._history_user = by
        locked.save()
        if approve:
            organisation = locked.report.dossier.organisation
            setattr(organisation, CHANGE_TARGETS[locked.field], locked.new_value)
            organisation._history_user = by
            organisation._change_reason = f"第二十条变更：{locked.get_field_display()}"
            organisation.save()
    return locked
