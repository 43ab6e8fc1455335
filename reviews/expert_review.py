"""第十七条: expert review — assignment with declared links and conflicts, scoring, ranking — and the
selection that follows it: parks and supply chains nominated to MIIT. A unit is selected after a complete
review, or with a written reason recorded on the selection."""

import statistics
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count
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


def submit_review(assignment, *, scores, comment, now=None):
    """Save the expert's scores; each criterion of the round, from 0 to its maximum."""
    dossier = assignment.dossier
    if dossier.state != State.IN_REVIEW or assignment.conflict_declared:
        raise TransitionRefused(_("This dossier is not open for your review."))
    review_round = round_for(dossier.cycle_year, dossier.kind)
    if review_round is None or not review_round.criteria.exists():
        raise TransitionRefused(_("The round of %(year)s has no review criteria yet.") % {"year": dossier.cycle_year})
    criteria = list(review_round.criteria.all())
    clean = {}
    for criterion in criteria:
        value = scores.get(str(criterion.pk))
        if value is None or not (0 <= Decimal(str(value)) <= criterion.max_score):
            raise TransitionRefused(
                _("Score %(name)s from 0 to %(max)d.") % {"name": criterion.name, "max": criterion.max_score}
            )
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
