"""Municipal review operations: conformity check (第十六条), expert review, ranking and publicity (第十七条).

Each operation is one transaction and moves dossiers only through ``applications.services.transition``.
"""

import statistics
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.notifications import notify
from applications import services as dossier_services
from applications.models import Dossier, ExclusionCondition, State
from applications.models.guards import review_progress
from reviews.models import (
    CONFORMITY_ITEMS,
    ConformityCheck,
    ExpertAssignment,
    ExpertLink,
    Objection,
    PublicityBatch,
    PublicityEntry,
    Review,
    Round,
)
from reviews.services import clear_for_publication
from workdays.services import ScheduleNotLoaded, add_working_days

PUBLICITY_WORKING_DAYS = 5  # 第十七条
CREDIT_RECORDS_ITEM = "exclusions"  # the checklist item on public credit records (第十二条)
Refused = dossier_services.TransitionRefused
TWO_PLACES = Decimal("0.01")


def round_for(year, kind):
    return Round.objects.filter(year=year, kind=kind).prefetch_related("criteria").first()


# ---- 第十六条: conformity check ------------------------------------------------------------------


def record_conformity(dossier, *, results, reasons, by):
    """Record the checklist; pass -> in_library, any failed item -> not_passed with the reasons."""
    results = {key: bool(results.get(key)) for key, _label in CONFORMITY_ITEMS}
    passed = all(results.values())
    if not passed and not reasons.strip():
        failed = [str(label) for key, label in CONFORMITY_ITEMS if not results[key]]
        raise Refused(
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


# ---- 第十七条: expert review ---------------------------------------------------------------------


def conflict_of(expert, dossier):
    """The declared link that makes ``expert`` unfit to review ``dossier``, or None."""
    links = ExpertLink.objects.filter(expert=expert)
    if dossier.agency_id:
        return (
            links.filter(organisation_id=dossier.organisation_id).first()
            or links.filter(agency_id=dossier.agency_id).first()
        )
    return links.filter(organisation_id=dossier.organisation_id).first()


def assign_experts(dossiers, experts, *, by):
    """Assign every expert to every dossier under review; a declared link refuses that pair. Returns messages."""
    made, refused = 0, []
    with transaction.atomic():
        for dossier in dossiers:
            if dossier.state != State.IN_REVIEW:
                refused.append(_("%(organisation)s is not under review.") % {"organisation": dossier.organisation})
                continue
            for expert in experts:
                link = conflict_of(expert, dossier)
                if link is not None:
                    refused.append(
                        _("%(expert)s cannot review %(organisation)s: declared link (%(note)s).")
                        % {"expert": expert, "organisation": dossier.organisation, "note": link.note or link}
                    )
                    continue
                _assignment, created = ExpertAssignment.objects.get_or_create(
                    dossier=dossier, expert=expert, defaults={"assigned_by": by}
                )
                made += created
    return made, refused


def declare_conflict(assignment, *, note):
    """The expert declares a conflict of interest: the dossier leaves their scope (and their review counts no more)."""
    if not note.strip():
        raise Refused(_("Please describe the conflict of interest."))
    assignment.conflict_declared, assignment.conflict_note = True, note
    assignment.save()
    return assignment


def weighted_total(criteria, scores):
    """Σ (score / max) × weight, with weights in per cent: a total out of 100."""
    total = Decimal(0)
    for criterion in criteria:
        score = Decimal(str(scores[str(criterion.pk)]))
        total += score / criterion.max_score * criterion.weight
    return total.quantize(TWO_PLACES, ROUND_HALF_UP)


def submit_review(assignment, *, scores, comment, now=None):
    """Save the expert's scores; each criterion of the round, from 0 to its maximum."""
    dossier = assignment.dossier
    if dossier.state != State.IN_REVIEW or assignment.conflict_declared:
        raise Refused(_("This dossier is not open for your review."))
    review_round = round_for(dossier.cycle_year, dossier.kind)
    if review_round is None or not review_round.criteria.exists():
        raise Refused(_("The round of %(year)s has no review criteria yet.") % {"year": dossier.cycle_year})
    criteria = list(review_round.criteria.all())
    clean = {}
    for criterion in criteria:
        value = scores.get(str(criterion.pk))
        if value is None or not (0 <= Decimal(str(value)) <= criterion.max_score):
            raise Refused(_("Score %(name)s from 0 to %(max)d.") % {"name": criterion.name, "max": criterion.max_score})
        clean[str(criterion.pk)] = str(value)
    total = weighted_total(criteria, clean)
    review, _created = Review.objects.update_or_create(
        assignment=assignment,
        defaults={"scores": clean, "total": total, "comment": comment, "submitted_at": now or timezone.now()},
    )
    return review


def aggregate(values, method):
    if not values:
        return None
    value = statistics.median(values) if method == Round.Aggregation.MEDIAN else statistics.fmean(values)
    return Decimal(str(value)).quantize(TWO_PLACES, ROUND_HALF_UP)


def ranking(year, kind, *, states=(State.IN_REVIEW,)):
    """Rows (dossier, aggregate, {criterion: aggregate}, number of reviews), best first."""
    review_round = round_for(year, kind)
    method = review_round.aggregation if review_round else Round.Aggregation.MEAN
    criteria = list(review_round.criteria.all()) if review_round else []
    dossiers = Dossier.objects.filter(cycle_year=year, kind=kind, state__in=states).select_related(
        "organisation__district"
    )
    reviews = Review.objects.filter(
        assignment__dossier__in=dossiers, assignment__conflict_declared=False
    ).select_related("assignment")
    assigned = dict(
        ExpertAssignment.objects.filter(dossier__in=dossiers, conflict_declared=False)
        .values("dossier")
        .annotate(n=Count("pk"))
        .values_list("dossier", "n")
    )
    by_dossier = {}
    for review in reviews:
        by_dossier.setdefault(review.assignment.dossier_id, []).append(review)
    rows = []
    for dossier in dossiers:
        mine = by_dossier.get(dossier.pk, [])
        per_criterion = {
            c.pk: aggregate([Decimal(r.scores[str(c.pk)]) for r in mine if str(c.pk) in r.scores], method)
            for c in criteria
        }
        rows.append(
            {
                "dossier": dossier,
                "aggregate": aggregate([r.total for r in mine], method),
                "criteria": per_criterion,
                "count": len(mine),
                "assigned": assigned.get(dossier.pk, 0),
            }
        )
    rows.sort(key=lambda r: (r["aggregate"] is None, -(r["aggregate"] or 0), r["dossier"].organisation.name))
    return {"round": review_round, "criteria": criteria, "rows": rows}


# ---- 第十七条: publicity ---------------------------------------------------------------------------


def create_publicity_batch(*, year, title, starts_on, picks, contact, by, now=None):
    """Put the picked green factories in publicity for 5 working days counting ``starts_on``.

    ``picks`` is [(dossier, aggregate, note)] in the order of the notice; a dossier picked outside the
    ranking order carries its recorded reason. All or nothing.
    """
    if not picks:
        raise Refused(_("Choose at least one green factory for the publicity."))
    try:
        ends_on = add_working_days(starts_on, PUBLICITY_WORKING_DAYS)
    except ScheduleNotLoaded as missing:  # 第十七条: never count a year whose official schedule is not loaded
        raise Refused(missing.message) from None
    with transaction.atomic():
        batch = PublicityBatch.objects.create(
            year=year,
            title=title,
            starts_on=starts_on,
            ends_on=ends_on,
            contact=contact,
            created_by=by,
            created_at=now or timezone.now(),
        )
        for position, (dossier, score, note) in enumerate(picks, start=1):
            try:
                dossier_services.transition(
                    dossier,
                    "select_for_publicity",
                    by=by,
                    now=now,
                    reason=note,
                    publicity_ends_on=ends_on,
                    manual_reason=_manual_reason(dossier, note),
                )
            except Refused as refused:
                raise Refused(f"{dossier.organisation.name}：{refused.message}") from None
            PublicityEntry.objects.create(
                batch=batch, dossier=dossier, position=position, aggregate=score, selection_note=note
            )
    return batch


def _manual_reason(dossier, note):
    """第十七条: the written reason recorded when a unit is selected without a complete expert review."""
    done, assigned = review_progress(dossier)
    return "" if assigned and done == assigned else note


def nominate_selected(picks, *, by, now=None):
    """第十七条: nominate the picked parks and supply-chain enterprises to MIIT, all or nothing.

    ``picks`` is [(dossier, note)]; a unit without a complete expert review needs its written reason.
    """
    if not picks:
        raise Refused(_("Choose at least one unit to nominate."))
    nominated = []
    with transaction.atomic():
        for dossier, note in picks:
            try:
                nominated.append(
                    dossier_services.transition(
                        dossier,
                        "nominate",
                        by=by,
                        now=now,
                        reason=note or _("Selected in review (Art. 17)"),
                        manual_reason=_manual_reason(dossier, note),
                    )
                )
            except Refused as refused:
                raise Refused(f"{dossier.organisation.name}：{refused.message}") from None
    return nominated


ANONYMOUS_NAMES = {"匿名", "无名", "佚名", "anonymous", "anon", "n/a", "-"}


def is_anonymous(name, contact):
    """第十七条 (objections) and 第二十五条 (reports) take real names with contact details only."""
    return not name.strip() or name.strip().lower() in ANONYMOUS_NAMES or not contact.strip()


def submit_objection(entry, *, objector_kind, name, phone, content, evidence=None, now=None):
    """A real-name written objection within the publicity period (第十七条); anonymous ones are refused."""
    today = timezone.localdate(now)
    batch = entry.batch
    if not batch.is_running(today):
        raise Refused(
            _("Objections are accepted only during the publicity period (%(start)s to %(end)s).")
            % {"start": batch.starts_on, "end": batch.ends_on}
        )
    if is_anonymous(name, phone):
        raise Refused(
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
        raise Refused(_("Please give a reason; it is shown to the applicant and the district."))
    with transaction.atomic():
        locked = Objection.objects.select_for_update().get(pk=objection.pk)
        if locked.status != Objection.Status.PENDING:
            raise Refused(_("This objection has already been decided."))
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
