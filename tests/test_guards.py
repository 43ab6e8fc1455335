"""One test per guard: the refusal, its message naming the article, and the allowed case."""

import datetime

import pytest
import time_machine

from applications import services
from applications.models import (
    EligibilityCriterion,
    EligibilityDeclaration,
    ExclusionCondition,
    ExclusionDeclaration,
    Kind,
    Path,
    RemovalGround,
    State,
)
from registry.services import remove_from_list
from tests.conftest import NO_REVIEW_IN_THIS_TEST, at, checked, make_dossier, take_step
from tests.factories import AgencyFactory, OrganisationFactory, attach_pdf, declare_eligible, district

pytestmark = pytest.mark.django_db


def refused(dossier, name, **kwargs):
    with pytest.raises(services.TransitionRefused) as info:
        services.transition(dossier, name, **kwargs)
    dossier.refresh_from_db()
    return info.value.message


# ---- 第十五条: recommendation by 30 May, Asia/Shanghai --------------------------------------------


def test_recommend_allowed_at_23_59_on_30_may_shanghai(world):
    dossier = checked(make_dossier(world.org_a, State.SUBMITTED))
    done = services.transition(dossier, "recommend", by=world.officer_nanshan, now=at(2026, 5, 30, 23, 59))
    assert done.state == State.RECOMMENDED


def test_recommend_refused_after_30_may(world):
    dossier = make_dossier(world.org_a, State.SUBMITTED)
    message = refused(dossier, "recommend", by=world.officer_nanshan, now=at(2026, 5, 31, 0, 0))
    assert message == "第十五条：区级推荐截止日期为5月30日（2026-05-30），已过截止时间。"
    assert dossier.state == State.SUBMITTED


def test_recommend_refused_with_the_real_clock_on_31_may(world):
    dossier = make_dossier(world.org_a, State.SUBMITTED)
    # 2026-05-30 16:30 UTC is 31 May 00:30 in Shanghai: the deadline is Shanghai's, not UTC's.
    with time_machine.travel(datetime.datetime(2026, 5, 30, 16, 30, tzinfo=datetime.UTC), tick=False):
        message = refused(dossier, "recommend", by=world.officer_nanshan)
    assert message.startswith("第十五条")


def test_lapse_refused_before_the_deadline_and_allowed_after(world):
    dossier = make_dossier(world.org_a)
    assert refused(dossier, "lapse", now=at(2026, 5, 30, 12), via=Path.SWEEP).startswith("第十五条")
    assert services.transition(dossier, "lapse", now=at(2026, 5, 31, 0, 5), via=Path.SWEEP).state == State.LAPSED


# ---- 第九条 / 第十条 / 第十一条: eligibility by kind ------------------------------------------------


def test_factory_without_declared_manufacturing_is_refused_under_article_9(world):
    org = OrganisationFactory()
    EligibilityDeclaration.objects.create(
        organisation=org, kind=Kind.FACTORY, criterion=EligibilityCriterion.LEGAL_PERSON_IN_SHENZHEN, satisfied=True
    )
    dossier = attach_pdf(services.pool(org, Kind.FACTORY, 2026, now=at(2026, 1, 10)))
    message = refused(dossier, "submit", now=at(2026, 3, 1))
    assert message.startswith("第九条")
    assert "实际从事生产" in message


def test_park_without_cultivation_plan_is_refused_under_article_10(world):
    org = OrganisationFactory()
    declare_eligible(org, Kind.PARK)
    EligibilityDeclaration.objects.create(
        organisation=org, kind=Kind.PARK, criterion=EligibilityCriterion.PARK_CULTIVATION_PLAN, satisfied=False
    )
    dossier = attach_pdf(services.pool(org, Kind.PARK, 2026, now=at(2026, 1, 10)))
    message = refused(dossier, "submit", now=at(2026, 3, 1))
    assert message.startswith("第十条")


def test_supply_chain_without_supplier_plan_is_refused_under_article_11(world):
    org = OrganisationFactory()
    EligibilityDeclaration.objects.create(
        organisation=org, kind=Kind.SUPPLY_CHAIN, criterion=EligibilityCriterion.SUPPLY_CHAIN_LEADER, satisfied=True
    )
    dossier = attach_pdf(services.pool(org, Kind.SUPPLY_CHAIN, 2026, now=at(2026, 1, 10)))
    message = refused(dossier, "submit", now=at(2026, 3, 1))
    assert message.startswith("第十一条")


def test_eligibility_declared_for_another_kind_does_not_count(world):
    dossier = attach_pdf(services.pool(world.org_a, Kind.PARK, 2026, now=at(2026, 1, 10)))
    assert refused(dossier, "submit", now=at(2026, 3, 1)).startswith("第十条")


# ---- 第十二条: exclusions -----------------------------------------------------------------------


@pytest.mark.parametrize("condition", list(ExclusionCondition))
def test_each_exclusion_blocks_recommendation(world, condition):
    dossier = make_dossier(world.org_a, State.SUBMITTED)
    ExclusionDeclaration.objects.create(
        organisation=world.org_a,
        condition=condition,
        applies=True,
        evidence="核查",
        event_date=datetime.date(2026, 4, 1),
    )
    message = refused(dossier, "recommend", now=at(2026, 5, 20))
    item = "（一）（二）（三）（四）（五）（六）"[(condition - 1) * 3 : condition * 3]
    assert message.startswith(f"第十二条第{item}项")


def test_a_later_no_answer_never_lifts_a_declared_exclusion(world):
    """第十二条: an applicant's later "no" does not erase a "yes"; only city staff lift it, with a reason."""
    dossier = make_dossier(world.org_a, State.SUBMITTED)
    checked(dossier)
    yes = ExclusionDeclaration.objects.create(
        organisation=world.org_a,
        condition=ExclusionCondition.DISHONEST_DEBTOR,
        applies=True,
        event_date=datetime.date(2026, 3, 20),
        source="staff",
        declared_at=at(2026, 4, 1),
    )
    ExclusionDeclaration.objects.create(
        organisation=world.org_a,
        condition=ExclusionCondition.DISHONEST_DEBTOR,
        applies=False,
        declared_at=at(2026, 5, 1),
    )
    assert refused(dossier, "recommend", now=at(2026, 5, 20)).startswith("第十二条第（六）项")
    with pytest.raises(services.TransitionRefused):
        services.lift_exclusion(yes, by=world.officer_nanshan, reason="已履行")
    with pytest.raises(services.TransitionRefused):
        services.lift_exclusion(yes, by=world.municipal, reason=" ")
    services.lift_exclusion(yes, by=world.municipal, reason="法院已移出失信名单")
    assert services.transition(dossier, "recommend", now=at(2026, 5, 20)).state == State.RECOMMENDED


def test_an_exclusion_counts_three_years_from_its_event_date(world):
    """第十二条: 近3年内 — a "yes" about an event of 2021 no longer blocks in 2026."""
    ExclusionDeclaration.objects.create(
        organisation=world.org_a,
        condition=ExclusionCondition.ACCIDENT_OR_VIOLATION,
        applies=True,
        event_date=datetime.date(2021, 6, 1),
        declared_at=at(2021, 6, 10),
    )
    assert world.org_a.active_exclusions(on=datetime.date(2024, 5, 31)) != []
    assert world.org_a.active_exclusions(on=datetime.date(2024, 6, 2)) == []
    dossier = make_dossier(world.org_a, State.SUBMITTED)
    checked(dossier)
    assert services.transition(dossier, "recommend", now=at(2026, 5, 20)).state == State.RECOMMENDED


def test_removed_unit_cannot_be_pooled_again_for_3_years(world):
    listed = make_dossier(world.org_a, State.LISTED)
    remove_from_list(
        listed, ground=RemovalGround.ENVIRONMENTAL_INCIDENT, reason="Ⅱ级突发环境事件", now=at(2026, 11, 15)
    )
    with pytest.raises(services.TransitionRefused) as info:
        services.pool(world.org_a, Kind.FACTORY, 2027, now=at(2027, 1, 10))
    assert info.value.message.startswith("第十二条第（三）项")
    assert "2029-11-15" in info.value.message
    # The bar is lifted 3 years after the removal date.
    assert services.pool(world.org_a, Kind.FACTORY, 2030, now=at(2029, 11, 16)).state == State.POOLED


# ---- 第十四条: the report ------------------------------------------------------------------------


def test_submit_refused_without_an_attested_report(world):
    dossier = services.pool(world.org_a, Kind.FACTORY, 2026, now=at(2026, 1, 10))
    assert refused(dossier, "submit", now=at(2026, 3, 1)).startswith("第十四条")


# ---- 第二十四条: at most 15 evaluations per agency per year ----------------------------------------


def test_sixteenth_evaluation_by_one_agency_is_refused(world):
    for _ in range(15):
        org = OrganisationFactory()
        declare_eligible(org)
        make_dossier(org, State.SUBMITTED, agency=world.agency)
    assert world.agency.evaluations_in_year(2026) == 15
    org = OrganisationFactory()
    declare_eligible(org)
    sixteenth = attach_pdf(make_dossier(org, agency=world.agency))
    message = refused(sixteenth, "submit", now=at(2026, 3, 2))
    assert message == f"第二十四条：第三方机构{world.agency.name}在2026年度已评价15家单位，不得再评价。"
    # Another year's count is separate.
    other_year = attach_pdf(make_dossier(org, agency=world.agency, year=2027))
    assert services.transition(other_year, "submit", now=at(2027, 3, 2)).state == State.SUBMITTED


def test_resubmission_after_return_is_not_a_new_evaluation(world):
    dossiers = []
    for _ in range(15):
        org = OrganisationFactory()
        declare_eligible(org)
        dossiers.append(make_dossier(org, State.SUBMITTED, agency=world.agency))
    returned = services.transition(dossiers[0], "return_for_revision", reason="补充材料", now=at(2026, 3, 5))
    assert services.transition(returned, "submit", now=at(2026, 3, 6)).state == State.SUBMITTED


# ---- 第二十五条: barred agency ---------------------------------------------------------------------


def test_report_of_a_barred_agency_is_refused_until_the_bar_ends(world):
    agency = AgencyFactory()
    agency.bar(decided_on=datetime.date(2025, 6, 1), reason="评价报告造假")
    agency.save()
    dossier = attach_pdf(make_dossier(world.org_a, agency=agency))
    message = refused(dossier, "submit", now=at(2026, 3, 1))
    assert message == f"第二十五条：第三方机构{agency.name}被禁止至2028-06-01，其出具的评价结果不予采信。"
    later = attach_pdf(make_dossier(world.org_a, agency=agency, year=2029))
    assert services.transition(later, "submit", now=at(2029, 3, 1)).state == State.SUBMITTED


def test_recommendation_refused_when_the_agency_was_barred_after_submission(world):
    dossier = make_dossier(world.org_a, State.SUBMITTED, agency=world.agency)
    world.agency.bar(decided_on=datetime.date(2026, 4, 1), reason="查实造假")
    world.agency.save()
    assert refused(dossier, "recommend", now=at(2026, 5, 20)).startswith("第二十五条")


# ---- 第十七条: factories are listed by the city, parks and supply chains nominated ----------------


def test_only_green_factories_enter_publicity_and_only_parks_or_chains_are_nominated(world):
    factory = make_dossier(world.org_a, State.IN_REVIEW)
    assert refused(factory, "nominate", now=at(2026, 8, 25)).startswith("第十七条")
    park_org = OrganisationFactory(district=district("futian"))
    declare_eligible(park_org, Kind.PARK)
    park = services.pool(park_org, Kind.PARK, 2026, now=at(2026, 1, 10))
    attach_pdf(park)
    for name, when in [
        ("submit", at(2026, 3, 1)),
        ("recommend", at(2026, 5, 1)),
        ("pass_conformity", None),
        ("open_review", None),
    ]:
        park = take_step(park, name, when or at(2026, 7, 1))
    message = refused(park, "select_for_publicity", publicity_ends_on=datetime.date(2026, 9, 4))
    assert message == "第十七条：只有绿色工厂进入市级公示和名单。"
    nominated = services.transition(park, "nominate", manual_reason=NO_REVIEW_IN_THIS_TEST)
    assert nominated.state == State.NOMINATED


def test_publish_refused_until_publicity_is_cleared(world):
    dossier = make_dossier(world.org_a, State.IN_PUBLICITY)
    assert refused(dossier, "publish", rank=1).startswith("第十七条")


# ---- the year's round: MIIT changes the rules between years --------------------------------------


def test_round_closed_to_a_kind_refuses_submission(world):
    from reviews.models import Round

    Round.objects.create(year=2026, kind="factory", is_open=False)
    dossier = attach_pdf(make_dossier(world.org_a))
    assert refused(dossier, "submit", now=at(2026, 3, 1)) == "2026年度批次不受理绿色工厂申报（本批次设置）。"


def test_round_requiring_a_third_party_report_refuses_self_evaluation(world):
    from reviews.models import Round

    Round.objects.create(year=2026, kind="factory", third_party_required=True)
    dossier = attach_pdf(make_dossier(world.org_a))
    assert refused(dossier, "submit", now=at(2026, 3, 1)).startswith("第十四条：2026年度批次要求提交第三方评价报告")
    commissioned = attach_pdf(make_dossier(world.org_b, agency=world.agency))
    assert services.transition(commissioned, "submit", now=at(2026, 3, 1)).state == State.SUBMITTED
