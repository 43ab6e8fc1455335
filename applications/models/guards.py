"""Guard predicates of the dossier state machine, one per rule of 深工信规〔2024〕9号.

Each guard is a plain predicate ``guard(dossier) -> bool`` used in a transition's ``conditions``;
``refusal(dossier)`` says, in the user's language, which article refused. Guards read the clock from
``dossier.now()`` so that services, deadline sweeps and the demo seed can evaluate them "as of" a date.
"""

import datetime
import zoneinfo

from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from applications.models.organisations import (
    AGENCY_YEARLY_QUOTA,
    ELIGIBILITY_ARTICLE,
    EXCLUSION_ITEM_LABEL,
)
from applications.models.reference import Kind

RECOMMENDATION_DEADLINE_MONTH_DAY = (5, 30)  # 第十五条


def recommendation_deadline(cycle_year):
    """第十五条: the last instant on which a district may recommend for ``cycle_year`` (30 May, Shanghai)."""
    month, day = RECOMMENDATION_DEADLINE_MONTH_DAY
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return datetime.datetime.combine(datetime.date(cycle_year, month, day), datetime.time.max, tzinfo=tz)


def guard(refusal):
    """Mark a predicate as a guard whose refusal message is ``refusal(dossier)``."""

    def decorate(predicate):
        predicate.refusal = refusal
        return predicate

    return decorate


def _deadline_text(dossier):
    return date_format(recommendation_deadline(dossier.cycle_year).date(), "Y-m-d")


@guard(
    lambda d: (
        _("Art. 15: the district recommendation deadline is 30 May (%(deadline)s); it has passed.")
        % {"deadline": _deadline_text(d)}
    )
)
def before_recommendation_deadline(dossier):
    """第十五条: districts recommend on or before 30 May of the cycle year (Asia/Shanghai)."""
    return dossier.now() <= recommendation_deadline(dossier.cycle_year)


@guard(
    lambda d: _("Art. 15: the recommendation window of %(year)s is still open until 30 May.") % {"year": d.cycle_year}
)
def after_recommendation_deadline(dossier):
    """第十五条: a dossier lapses only once its cycle's 30 May deadline has passed."""
    return dossier.now() > recommendation_deadline(dossier.cycle_year)


def _eligibility_refusal(dossier):
    unmet = dossier.organisation.unmet_eligibility(dossier.kind)
    return _("%(article)s: the eligibility conditions are not all declared as met: %(criteria)s.") % {
        "article": ELIGIBILITY_ARTICLE[dossier.kind],
        "criteria": "、".join(str(c.label) for c in unmet),
    }


@guard(_eligibility_refusal)
def eligibility_met(dossier):
    """第九条 (factory), 第十条 (park), 第十一条 (supply chain): every condition declared met, with evidence."""
    return not dossier.organisation.unmet_eligibility(dossier.kind)


def _exclusion_refusal(dossier):
    exclusion = dossier.organisation.active_exclusions(on=dossier.today())[0]
    message = _(
        "Art. 12 item %(item)s: within the last 3 years this unit falls under “%(condition)s”; it may not "
        "apply, be recommended or be listed."
    ) % {"item": EXCLUSION_ITEM_LABEL[exclusion.condition], "condition": exclusion.get_condition_display()}
    if exclusion.valid_until:
        message += " " + _("(in force until %(date)s)") % {"date": date_format(exclusion.valid_until, "Y-m-d")}
    return message


@guard(_exclusion_refusal)
def no_exclusion(dossier):
    """第十二条: none of the six conditions within the last 3 years (for a park, its enterprises too)."""
    return not dossier.organisation.active_exclusions(on=dossier.today())


@guard(lambda d: _("Art. 14: the evaluation report (PDF) must be uploaded and its truthfulness attested."))
def report_attached(dossier):
    """第十四条: a self-evaluation or third-party evaluation report, for whose truth the uploader answers."""
    return bool(dossier.report) and dossier.report_attested


def _evaluation_state(dossier):
    """(evaluation, score, missing evidence) of the dossier's structured evaluation, read fresh."""
    from applications import evaluations

    evaluation = evaluations.evaluation_of(dossier)
    if evaluation is None or evaluation.template_id is None:
        return None, None, []
    return evaluation, evaluations.current_score(evaluation, dossier), evaluations.missing_evidence(evaluation)


def _codes(codes):
    return "、".join(codes[:8]) + ("…" if len(codes) > 8 else "")


def _incomplete_refusal(dossier):
    evaluation, result, missing = _evaluation_state(dossier)
    if evaluation is None:
        return _("Art. 14: the self-evaluation against the round's template has not been filled in.")
    from applications.evaluations import missing_basic

    if missing_basic(dossier.organisation):
        return _("Art. 14: the basic information of MIIT's application form is incomplete.")
    if result.unanswered:
        return _("Art. 14: evaluation items %(codes)s are not answered.") % {"codes": _codes(result.unanswered)}
    if missing:
        return _("Art. 14: evaluation items %(codes)s need their evidence.") % {"codes": _codes(missing)}
    return _("Art. 14: please describe the problems found and the next steps.")


@guard(_incomplete_refusal)
def evaluation_complete(dossier):
    """第十四条: the evaluation report and its materials are complete: every item, its evidence, the plan."""
    evaluation, result, missing = _evaluation_state(dossier)
    return (
        evaluation is not None and not result.unanswered and not missing and bool(evaluation.problems_and_plan.strip())
    )


def _failing_refusal(dossier):
    _evaluation, result, _missing = _evaluation_state(dossier)
    if result.vetoed:
        return _("Art. 9-11 and the standard's basic requirements: %(codes)s not met; the unit cannot apply.") % {
            "codes": _codes(result.vetoed)
        }
    if result.required_unmet:
        return _("The standard's required items %(codes)s are not met; the unit cannot apply.") % {
            "codes": _codes(result.required_unmet)
        }
    return _("The %(year)s round's pass mark is %(mark)s; the self-evaluation scores %(total)s.") % {
        "year": dossier.cycle_year,
        "mark": result.pass_mark,
        "total": result.total,
    }


@guard(_failing_refusal)
def evaluation_passes(dossier):
    """The standard's basic and required items are met and the score reaches the round's pass mark."""
    evaluation, result, _missing = _evaluation_state(dossier)
    if evaluation is None:
        return True  # evaluation_complete says what is missing
    return (
        not result.vetoed
        and not result.required_unmet
        and (result.pass_mark is None or result.total >= result.pass_mark)
    )


@guard(
    lambda d: _(
        "Art. 14: the commissioned agency has not given its evaluation result (basic requirements, score, "
        "highlights) and its pledge."
    )
)
def agency_concluded(dossier):
    """第十四条 (third-party path): the agency's 评价结果 and pledge are part of the report."""
    if dossier.evaluation_mode != "agency":
        return True
    evaluation, _result, _missing = _evaluation_state(dossier)
    return (
        evaluation is not None
        and evaluation.agency_pledge
        and evaluation.agency_basic_met is not None
        and evaluation.agency_score is not None
    )


@guard(
    lambda d: (
        _("Art. 25: agency %(agency)s is barred until %(date)s; its evaluation results are not accepted.")
        % {"agency": d.agency, "date": date_format(d.agency.barred_until, "Y-m-d")}
    )
)
def agency_not_barred(dossier):
    """第二十五条: a falsifying agency's results are not accepted for 3 years."""
    return dossier.agency is None or not dossier.agency.is_barred(on=dossier.today())


def _quota_refusal(dossier):
    return _("Art. 24: agency %(agency)s has already evaluated %(quota)d units in %(year)s; no more are allowed.") % {
        "agency": dossier.agency,
        "quota": AGENCY_YEARLY_QUOTA,
        "year": dossier.today().year,
    }


@guard(_quota_refusal)
def agency_within_quota(dossier):
    """第二十四条: one agency evaluates at most 15 Shenzhen units per calendar year, counted in the year the
    evaluation is made; a resubmission of an evaluation it already made is not a new one."""
    if dossier.agency_id is None:
        return True
    if dossier.pk and dossier.agency_evaluations.filter(agency_id=dossier.agency_id).exists():
        return True
    return dossier.agency.evaluations_in_year(dossier.today().year) < AGENCY_YEARLY_QUOTA


def _round_of(dossier):
    from django.apps import apps

    return apps.get_model("reviews", "Round").objects.filter(year=dossier.cycle_year, kind=dossier.kind).first()


def _round_refusal(dossier):
    review_round = _round_of(dossier)
    if not review_round.is_open:
        return _("The %(year)s round does not take %(kind)s applications (the round's settings).") % {
            "year": dossier.cycle_year,
            "kind": dossier.get_kind_display(),
        }
    return _("Art. 14: the %(year)s round requires a third-party evaluation report (the round's settings).") % {
        "year": dossier.cycle_year
    }


@guard(_round_refusal)
def round_admits(dossier):
    """The year's round (MIIT's rules change between years): its kind is open; a third-party report if required."""
    review_round = _round_of(dossier)
    if review_round is None:
        return True
    if not review_round.is_open:
        return False
    return not (review_round.third_party_required and dossier.agency_id is None)


@guard(lambda d: _("Art. 17: only green factories enter the municipal publicity and list."))
def is_green_factory(dossier):
    """第十七条: the municipal list is a list of green factories."""
    return dossier.kind == Kind.FACTORY


@guard(lambda d: _("Art. 17: only parks and supply-chain enterprises are nominated to MIIT from review."))
def is_park_or_supply_chain(dossier):
    """第十七条: parks and supply chains selected in review are recommended to MIIT, not listed by the city."""
    return dossier.kind in (Kind.PARK, Kind.SUPPLY_CHAIN)


@guard(
    lambda d: _(
        "Art. 17: the 5-working-day publicity must have ended with no pending or upheld objection before publication."
    )
)
def publicity_cleared(dossier):
    """第十七条: published only after 5 working days of publicity without objection."""
    return dossier.cleared_for_publication_at is not None


def open_cycle_year(today):
    """The cycle whose 30 May deadline (第十五条) is still ahead: this year until 30 May, then next year."""
    month, day = RECOMMENDATION_DEADLINE_MONTH_DAY
    return today.year if (today.month, today.day) <= (month, day) else today.year + 1


@guard(lambda d: _("Art. 15: the district has not marked this dossier as checked; check it before recommending."))
def district_checked(dossier):
    """第十五条 (with 第十三条): the district recommends only dossiers it has checked."""
    return dossier.district_ready_at is not None


def _latest_conformity_check(dossier):
    return dossier.conformity_checks.order_by("-checked_at", "-pk").first()


@guard(lambda d: _("Art. 16: the conformity checklist has not been recorded as passed for this dossier."))
def conformity_checklist_passed(dossier):
    """第十六条: the municipal conformity check, item by item, passed."""
    check = _latest_conformity_check(dossier)
    return check is not None and check.passed


@guard(lambda d: _("Art. 16: a failed conformity checklist with its reasons must be recorded first."))
def conformity_checklist_failed(dossier):
    """第十六条: a dossier fails conformity only on a recorded checklist with reasons."""
    check = _latest_conformity_check(dossier)
    return check is not None and not check.passed


def review_progress(dossier):
    """(final reviews, assigned experts without a declared conflict) of the dossier (第十七条); a draft
    is the expert's work in progress and does not count."""
    assignments = dossier.expert_assignments.filter(conflict_declared=False)
    return assignments.filter(review__finalised_at__isnull=False).count(), assignments.count()


def _review_refusal(dossier):
    done, assigned = review_progress(dossier)
    return _(
        "Art. 17: %(done)d of %(assigned)d assigned experts have submitted final scores; complete the review, or "
        "record a written reason for selecting it without a complete review."
    ) % {"done": done, "assigned": assigned}


@guard(_review_refusal)
def expert_review_complete(dossier):
    """第十七条: selected after expert review — every assigned expert without a conflict has submitted final
    scores; or the city records, on the selection, a written reason for selecting without a complete review."""
    if (dossier.param("manual_reason") or "").strip():
        return True
    done, assigned = review_progress(dossier)
    return assigned > 0 and done == assigned


@guard(lambda d: _("Art. 17: an objection to this unit must have been upheld, with reasons, in its publicity."))
def objection_upheld(dossier):
    """第十七条: a unit leaves the publicity only on an objection that the city upheld."""
    return dossier.objections.filter(status="upheld").exists()


@guard(
    lambda d: _(
        "Art. 17: a unit is published only on a published list of its own publicity, with its rank on that list."
    )
)
def on_published_list_with_rank(dossier):
    """第十七条: the municipal list is published with ranks; the unit was in that list's publicity batch."""
    published_list, rank = dossier.param("published_list"), dossier.param("rank")
    if published_list is None or not isinstance(rank, int) or rank < 1:
        return False
    entry = getattr(dossier, "publicity_entry", None)
    return entry is not None and entry.batch_id == published_list.publicity_batch_id


def _national_listings(dossier):
    return dossier.organisation.national_listings.filter(kind=dossier.kind, year__gte=dossier.cycle_year)


@guard(lambda d: _("Art. 18: this unit is not on an imported MIIT national list of its kind."))
def on_national_list(dossier):
    """第十八条: a nominated unit is listed only when a matched row of MIIT's national list names it."""
    return _national_listings(dossier).exists()


@guard(lambda d: _("Art. 18: this unit is on an imported MIIT national list; it cannot be marked as not included."))
def not_on_national_list(dossier):
    """第十八条: a nominated unit is not included only when MIIT's list of its round does not name it."""
    return not _national_listings(dossier).exists()


def _current_recheck(dossier):
    return dossier.rechecks.order_by("-opened_at", "-pk").first()


@guard(lambda d: _("Art. 21: the district's recheck findings and proposal must be recorded before the decision."))
def district_recheck_recorded(dossier):
    """第二十一条: the district rechecks the unit and proposes; the city decides on that record."""
    recheck = _current_recheck(dossier)
    return recheck is not None and bool(recheck.findings.strip()) and bool(recheck.proposal)


@guard(lambda d: _("Arts. 21, 22, 25: a removal needs its ground and the facts on which it rests."))
def removal_ground_and_facts(dossier):
    """第二十一条, 第二十二条, 第二十五条: a unit leaves the list on a named ground, with the facts recorded."""
    from applications.models.dossiers import RemovalGround

    return dossier.param("ground") in RemovalGround.values and bool((dossier.param("reason") or "").strip())
