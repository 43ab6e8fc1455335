"""第十七条: expert review — assignment with declared links and conflicts, scoring, ranking — and the
selection that follows it: parks and supply chains nominated to MIIT. A unit is selected after a complete
review, or with a written reason recorded on the selection."""

import datetime
import statistics
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.db.models import BooleanField, Case, Count, F, OuterRef, Q, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import services as dossier_services
from applications.models import Dossier, State
from applications.models.guards import review_progress
from applications.services import TransitionRefused
from reviews.models import (
    ExpertAssignment,
    ExpertLink,
    Review,
    Round,
)

TWO_PLACES = Decimal("0.01")


def round_for(year, kind):
    return Round.objects.filter(year=year, kind=kind).prefetch_related("criteria").first()


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
        raise TransitionRefused(_("Please describe the conflict of interest."))
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


def _criteria_open_to(assignment):
    """The round's criteria, if ``assignment`` may still be scored; refusals say why."""
    dossier = assignment.dossier
    if dossier.state != State.IN_REVIEW or assignment.conflict_declared:
        raise TransitionRefused(_("This dossier is not open for your review."))
    review_round = round_for(dossier.cycle_year, dossier.kind)
    if review_round is None or not review_round.criteria.exists():
        raise TransitionRefused(_("The round of %(year)s has no review criteria yet.") % {"year": dossier.cycle_year})
    return list(review_round.criteria.all())


def _clean_scores(criteria, scores, *, complete):
    """{criterion id: score as text}; each given score from 0 to its maximum, every one if ``complete``."""
    clean = {}
    for criterion in criteria:
        value = scores.get(str(criterion.pk))
        if value in (None, ""):
            if complete:
                raise TransitionRefused(
                    _("Score %(name)s before submitting your final scores.") % {"name": criterion.name}
                )
            continue
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or not (0 <= number <= criterion.max_score):
            raise TransitionRefused(
                _("Score %(name)s from 0 to %(max)d.") % {"name": criterion.name, "max": criterion.max_score}
            )
        clean[str(criterion.pk)] = str(value)
    return clean


def final_refusal(review):
    return TransitionRefused(
        _("Your final scores were submitted on %(date)s and can no longer be changed.")
        % {"date": timezone.localtime(review.finalised_at).strftime("%Y-%m-%d %H:%M")}
    )


def _save(assignment, *, scores, comment, final, now):
    criteria = _criteria_open_to(assignment)
    clean = _clean_scores(criteria, scores, complete=final)
    now = now or timezone.now()
    with transaction.atomic():
        # The assignment row's lock orders two submissions of the same expert: the second sees the first.
        ExpertAssignment.objects.select_for_update().get(pk=assignment.pk)
        existing = Review.objects.filter(assignment=assignment).first()
        if existing is not None and existing.is_final:
            raise final_refusal(existing)
        review = existing or Review(assignment=assignment)
        review.scores = clean
        review.total = weighted_total(criteria, clean) if len(clean) == len(criteria) else None
        review.comment = comment
        review.submitted_at = now
        review.finalised_at = now if final else None
        review.save()
    assignment.review = review
    return review


def save_draft(assignment, *, scores, comment="", now=None):
    """Keep the expert's work so far: scores may be missing; each given one is still within its range."""
    return _save(assignment, scores=scores, comment=comment, final=False, now=now)


def submit_final(assignment, *, scores, comment="", now=None):
    """第十七条: the expert's final scores, every criterion from 0 to its maximum; never changed afterwards."""
    return _save(assignment, scores=scores, comment=comment, final=True, now=now)


# The name callers used before drafts existed (the demo seed): a submitted review is a final one.
submit_review = submit_final


def days_left(deadline, today):
    return None if deadline is None else (deadline - today).days


def with_scoring_deadline(assignments):
    """Annotate each assignment with its round's ``scoring_deadline`` (one query, whatever the number)."""
    deadline = Round.objects.filter(year=OuterRef("dossier__cycle_year"), kind=OuterRef("dossier__kind")).values(
        "scoring_deadline"
    )[:1]
    return assignments.annotate(scoring_deadline=Subquery(deadline))


def expert_worklist(assignments, *, today):
    """(pending, done) of an expert's assignments: pending ones — under review, no final scores — first,
    soonest deadline first; each carries ``days_left`` (negative when overdue) and ``draft`` / ``final``."""
    rows = list(with_scoring_deadline(assignments.select_related("review")))
    pending, done = [], []
    for assignment in rows:
        review = getattr(assignment, "review", None)
        assignment.final = review if review is not None and review.is_final else None
        assignment.draft = review if review is not None and not review.is_final else None
        assignment.days_left = days_left(assignment.scoring_deadline, today)
        assignment.days_overdue = max(0, -(assignment.days_left or 0))
        if assignment.final is None and assignment.dossier.state == State.IN_REVIEW:
            pending.append(assignment)
        else:
            done.append(assignment)
    far = datetime.date.max
    pending.sort(key=lambda a: (a.scoring_deadline or far, a.dossier.organisation.name))
    done.sort(key=lambda a: (a.final is None, -(a.final.finalised_at.timestamp() if a.final else 0)))
    return pending, done


def with_review_progress(dossiers, *, today):
    """The city's board: per dossier ``finals`` / ``assigned`` (experts without a declared conflict),
    ``drafts``, its round's ``scoring_deadline`` and ``overdue`` (deadline passed, finals missing).
    Annotations, so the page makes the same number of queries for 1 dossier or 300."""
    counted = Q(expert_assignments__conflict_declared=False)
    with_review = counted & Q(expert_assignments__review__isnull=False)
    deadline = Round.objects.filter(year=OuterRef("cycle_year"), kind=OuterRef("kind")).values("scoring_deadline")[:1]
    annotated = dossiers.annotate(
        assigned=Count("expert_assignments", filter=counted, distinct=True),
        finals=Count(
            "expert_assignments",
            filter=with_review & Q(expert_assignments__review__finalised_at__isnull=False),
            distinct=True,
        ),
        drafts=Count(
            "expert_assignments",
            filter=with_review & Q(expert_assignments__review__finalised_at__isnull=True),
            distinct=True,
        ),
        scoring_deadline=Subquery(deadline),
    )
    return annotated.annotate(
        overdue=Case(
            When(Q(scoring_deadline__lt=today) & (Q(finals__lt=F("assigned")) | Q(assigned=0)), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def aggregate(values, method):
    if not values:
        return None
    value = statistics.median(values) if method == Round.Aggregation.MEDIAN else statistics.fmean(values)
    return Decimal(str(value)).quantize(TWO_PLACES, ROUND_HALF_UP)


def ranking(year, kind, *, states=(State.IN_REVIEW,)):
    """Rows (dossier, aggregate, {criterion: aggregate}, number of final reviews), best first."""
    review_round = round_for(year, kind)
    method = review_round.aggregation if review_round else Round.Aggregation.MEAN
    criteria = list(review_round.criteria.all()) if review_round else []
    dossiers = Dossier.objects.filter(cycle_year=year, kind=kind, state__in=states).select_related(
        "organisation__district"
    )
    # 第十七条: only final scores count; a draft is the expert's work in progress.
    reviews = (
        Review.objects.final()
        .filter(assignment__dossier__in=dossiers, assignment__conflict_declared=False)
        .select_related("assignment")
    )
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


def manual_reason_for(dossier, note):
    """第十七条: the written reason recorded when a unit is selected without a complete expert review."""
    done, assigned = review_progress(dossier)
    return "" if assigned and done == assigned else note


def nominate_selected(picks, *, by, now=None):
    """第十七条: nominate the picked parks and supply-chain enterprises to MIIT, all or nothing.

    ``picks`` is [(dossier, note)]; a unit without a complete expert review needs its written reason.
    """
    if not picks:
        raise TransitionRefused(_("Choose at least one unit to nominate."))
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
                        manual_reason=manual_reason_for(dossier, note),
                    )
                )
            except TransitionRefused as refused:
                raise TransitionRefused(f"{dossier.organisation.name}：{refused.message}") from None
    return nominated
