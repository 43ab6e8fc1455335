"""第十七条: expert review — assignment with declared links and conflicts, scoring, ranking — and the
selection that follows it: parks and supply chains nominated to MIIT. A unit is selected after a complete
review, or with a written reason recorded on the selection."""

import datetime
import statistics
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Collate
from django.db.models.functions import Round as RoundNumber
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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


# 第十七条 / DOMAIN.md's expert role: the one wording of the rule, for this refusal and the score form's box.
NO_CONFLICT_REQUIRED = gettext_lazy(
    "Declare that you have no conflict of interest with this unit or its evaluation agency before "
    "submitting your final scores (Art. 17)."
)


def no_conflict_refusal():
    return TransitionRefused(str(NO_CONFLICT_REQUIRED))


def _save(assignment, *, scores, comment, final, now, declares_no_conflict=False):
    criteria = _criteria_open_to(assignment)
    clean = _clean_scores(criteria, scores, complete=final)
    now = now or timezone.now()
    with transaction.atomic():
        # The assignment row's lock orders two submissions of the same expert: the second sees the first.
        ExpertAssignment.objects.select_for_update().get(pk=assignment.pk)
        existing = Review.objects.filter(assignment=assignment).first()
        if existing is not None and existing.is_final:
            raise final_refusal(existing)
        if final and not declares_no_conflict:
            raise no_conflict_refusal()
        review = existing or Review(assignment=assignment)
        review.scores = clean
        review.total = weighted_total(criteria, clean) if len(clean) == len(criteria) else None
        review.comment = comment
        review.submitted_at = now
        review.finalised_at = now if final else None
        review.no_conflict_declared_at = now if final else None
        review.save()
    assignment.review = review
    return review


def save_draft(assignment, *, scores, comment="", now=None):
    """Keep the expert's work so far: scores may be missing; each given one is still within its range."""
    return _save(assignment, scores=scores, comment=comment, final=False, now=now)


def submit_final(assignment, *, scores, comment="", declares_no_conflict=False, now=None):
    """第十七条: the expert's final scores, every criterion from 0 to its maximum; never changed afterwards.

    Final scores come with the expert's declaration that they have no conflict of interest with the unit or
    its evaluation agency (``declares_no_conflict``), recorded as ``Review.no_conflict_declared_at``; without
    it nothing is saved. A draft needs no declaration: it does not count in the review."""
    return _save(
        assignment, scores=scores, comment=comment, final=True, now=now, declares_no_conflict=declares_no_conflict
    )


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
    """The mean or median of ``values`` (Decimals), rounded half up to the cent. Exact decimal arithmetic, so
    the database's ordering (``ranking_score``, in whole cents) gives the very same number."""
    if not values:
        return None
    values = [Decimal(v) for v in values]
    median = method == Round.Aggregation.MEDIAN
    value = statistics.median(values) if median else sum(values, Decimal(0)) / len(values)
    return Decimal(value).quantize(TWO_PLACES, ROUND_HALF_UP)


# ---- the ranking, ordered by the database -------------------------------------------------------------
#
# Issue 13: 4,000 dossiers under review at province scale. The order is computed by the database — each
# dossier's aggregate of its final totals, in whole cents, rounded half up exactly as ``aggregate`` does —
# so a page builds only the rows it shows. Totals have two decimals: in cents they are integers, and the
# rounded mean is (2·Σ + n) div 2n, the rounded median (lower middle + upper middle + 1) div 2.


def _final_reviews_of(dossier):
    """The final reviews that count in the ranking (no declared conflict) of ``dossier`` (a pk or OuterRef)."""
    return Review.objects.filter(
        finalised_at__isnull=False, assignment__conflict_declared=False, assignment__dossier=dossier
    ).order_by()


def _counted_reviews(pks):
    """The final reviews that count (no declared conflict) of the dossiers ``pks`` (a list or a queryset)."""
    return Review.objects.filter(
        finalised_at__isnull=False, assignment__conflict_declared=False, assignment__dossier__in=pks
    ).order_by()


def _cents():
    return Cast(RoundNumber(F("total") * 100), IntegerField())


def _one_value(reviews, expression):
    """A subquery: ``expression`` (an aggregate) over ``reviews``, all of one dossier; NULL without rows."""
    grouped = reviews.values("assignment__dossier").annotate(value=expression).values("value")
    return Subquery(grouped[:1], output_field=IntegerField())


def _middle(slack):
    """The total at (n − 1 + slack) div 2 in the sorted final totals of the outer dossier, in cents (slack 0:
    the lower middle, 1: the upper one): the largest total with at most that many totals below it."""
    peers = _final_reviews_of(OuterRef("assignment__dossier"))
    below = Coalesce(_one_value(peers.filter(total__lt=OuterRef("total")), Count("pk")), 0)
    candidates = (
        _final_reviews_of(OuterRef("pk"))
        .alias(twice_below=below * 2, limit=_one_value(peers, Count("pk")) - 1 + slack)
        .filter(twice_below__lte=F("limit"))
    )
    return _one_value(candidates, Max(_cents()))


def ranking_score(method):
    """An annotation for dossiers: their ranking aggregate in whole cents (NULL without a final review)."""
    if method == Round.Aggregation.MEDIAN:
        return ExpressionWrapper((_middle(0) + _middle(1) + 1) / 2, output_field=IntegerField())
    mean = ExpressionWrapper((Sum(_cents()) * 2 + Count("pk")) / (Count("pk") * 2), output_field=IntegerField())
    return _one_value(_final_reviews_of(OuterRef("pk")), mean)


def _by_name():
    """Organisation names in code-point order, as Python sorts them (PostgreSQL's collation may differ). The
    dossier's own copy of the name: joining every organisation to sort the ranking took 15 ms at scale."""
    name = F("organisation_name")
    return Collate(name, "C") if connection.vendor == "postgresql" else name


def ranking_setup(year, kind):
    """{round, criteria, method} of the year's round for ``kind`` (criteria empty, mean, without a round)."""
    review_round = round_for(year, kind)
    return {
        "round": review_round,
        "criteria": list(review_round.criteria.all()) if review_round else [],
        "method": review_round.aggregation if review_round else Round.Aggregation.MEAN,
    }


def ranked(year, kind, *, method, states=(State.IN_REVIEW,), order=""):
    """The dossiers of the ranking, ordered by the database and annotated with ``score`` (cents): best
    aggregate first, no final review last, ties by organisation name; ``order="name"`` by name first."""
    dossiers = Dossier.objects.filter(cycle_year=year, kind=kind, state__in=states).annotate(
        score=ranking_score(method)
    )
    best_first = F("score").desc(nulls_last=True)
    if order == "name":
        return dossiers.order_by(_by_name(), best_first, "pk")
    return dossiers.order_by(best_first, _by_name(), "pk")


def ranked_pks(year, kind, *, setup, states=(State.IN_REVIEW,), order=""):
    """The dossier pks in the order shown: a ``values_list`` queryset (paged by the database), or for
    ``order="c<criterion pk>"`` a list — the rank order re-sorted, stably, by that criterion's aggregate."""
    by_name = "name" if order == "name" else ""
    pks = ranked(year, kind, method=setup["method"], states=states, order=by_name).values_list("pk", flat=True)
    key = int(order[1:]) if order.startswith("c") and order[1:].isdigit() else None
    criterion = next((c for c in setup["criteria"] if c.pk == key), None)
    if criterion is None:
        return pks
    in_ranking = Dossier.objects.filter(cycle_year=year, kind=kind, state__in=states).values("pk")
    pks = list(pks)
    values = {}
    for dossier, scores in _counted_reviews(in_ranking).values_list("assignment__dossier", "scores").iterator():
        if str(criterion.pk) in scores:
            values.setdefault(dossier, []).append(Decimal(scores[str(criterion.pk)]))
    by_criterion = {pk: aggregate(v, setup["method"]) for pk, v in values.items()}
    pks.sort(key=lambda pk: (by_criterion.get(pk) is None, -(by_criterion.get(pk) or 0)))
    return pks


def review_figures(pks, *, setup):
    """{pk: {aggregate, criteria, count}} of the dossiers ``pks`` from their final reviews (one query)."""
    reviews = {}
    for dossier, total, scores in _counted_reviews(pks).values_list("assignment__dossier", "total", "scores"):
        reviews.setdefault(dossier, []).append((total, scores))
    figures = {}
    for pk in pks:
        mine = reviews.get(pk, [])
        figures[pk] = {
            "aggregate": aggregate([total for total, _scores in mine], setup["method"]),
            "criteria": {
                c.pk: aggregate(
                    [Decimal(scores[str(c.pk)]) for _total, scores in mine if str(c.pk) in scores], setup["method"]
                )
                for c in setup["criteria"]
            },
            "count": len(mine),
        }
    return figures


# What the ranking page shows of a dossier (``ranking_rows(..., shown_only=True)``).
# The dossier's own copies of its organisation's name and district: no join of the organisation.
SHOWN_FIELDS = ("pk", "kind", "cycle_year", "state", "organisation_name", "district__name")


def ranking_rows(pks, *, setup, shown_only=False):
    """The rows (dossier, aggregate, {criterion: aggregate}, number of final reviews, assigned experts) of
    the dossiers ``pks``, in that order: three queries, whatever the number. ``shown_only``: the dossiers
    hold only what the ranking page shows (``SHOWN_FIELDS``)."""
    pks = list(pks)
    if shown_only:
        dossiers = Dossier.objects.select_related("district").only(*SHOWN_FIELDS)
    else:
        dossiers = Dossier.objects.select_related("organisation__district")
    dossiers = dossiers.in_bulk(pks)
    figures = review_figures(pks, setup=setup)
    assigned = dict(
        ExpertAssignment.objects.filter(dossier__in=pks, conflict_declared=False)
        .values("dossier")
        .annotate(n=Count("pk"))
        .values_list("dossier", "n")
        .order_by()
    )
    criteria = setup["criteria"]
    return [
        {
            "dossier": dossiers[pk],
            **figures[pk],
            # the criteria's aggregates in the round's order, as the page's columns show them
            "criteria_in_order": [figures[pk]["criteria"].get(c.pk) for c in criteria],
            "assigned": assigned.get(pk, 0),
        }
        for pk in pks
        if pk in dossiers
    ]


def ranking(year, kind, *, states=(State.IN_REVIEW,)):
    """Rows (dossier, aggregate, {criterion: aggregate}, number of final reviews), best first — every row:
    pages use ``ranked_pks`` and build only the rows they show with ``ranking_rows``."""
    setup = ranking_setup(year, kind)
    rows = ranking_rows(ranked_pks(year, kind, setup=setup, states=states), setup=setup)
    return {"round": setup["round"], "criteria": setup["criteria"], "rows": rows}


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
