"""Issue 9: every rule of 深工信规〔2024〕9号 holds on every path (screen, generic endpoint, admin, sweep,
import, superuser), written article by article."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role
from applications import services
from applications.models import (
    AgencyFlag,
    ExclusionCondition,
    ExclusionDeclaration,
    Kind,
    Path,
    RemovalGround,
    State,
    TransitionLog,
)
from registry import national_list, notices, rechecks
from registry.models import Recheck
from reviews import conformity, expert_review, publicity
from reviews.models import CONFORMITY_ITEMS, ConformityCheck, ExpertAssignment
from tests.conftest import NO_REVIEW_IN_THIS_TEST, at, make_dossier, take_step
from tests.factories import AgencyFactory, OrganisationFactory, UserFactory, attach_pdf, declare_eligible
from tests.test_notices import pdf_text

pytestmark = pytest.mark.django_db


def refusal(dossier, name, **kwargs):
    with pytest.raises(services.TransitionRefused) as info:
        services.transition(dossier, name, **kwargs)
    dossier.refresh_from_db()
    return info.value.message


# ---- 1. transitions with preconditions carry them as guards --------------------------------------


def test_generic_publish_of_a_unit_in_publicity_is_refused_and_never_a_500(client, world):
    dossier = make_dossier(world.org_a, State.IN_PUBLICITY)
    client.force_login(world.municipal)
    for name in ("publish", "select_for_publicity", "remove", "keep_after_recheck", "include_in_national_list"):
        response = client.post(reverse("dossier_transition", args=[dossier.pk, name]), {"reason": "x"}, follow=True)
        assert response.status_code == 200
    dossier.refresh_from_db()
    assert (dossier.state, dossier.rank, dossier.published_list) == (State.IN_PUBLICITY, None, None)


def test_publish_needs_its_published_list_and_a_rank_under_article_17(world):
    dossier = make_dossier(world.org_a, State.IN_PUBLICITY)
    from reviews.publicity import clear_for_publication

    clear_for_publication(dossier, now=at(2026, 9, 8))
    message = refusal(dossier, "publish", by=world.municipal, rank=None, published_list=None)
    assert message == "第十七条：单位只能列入其所在公示批次对应的已发布名单，并在名单中有排名。"
    assert dossier.state == State.IN_PUBLICITY


def test_keep_after_recheck_needs_the_district_recheck_under_article_21(world):
    listed = make_dossier(world.org_a, State.LISTED)
    rechecking = services.transition(listed, "open_recheck", by=world.officer_nanshan, reason="抽查")
    message = refusal(rechecking, "keep_after_recheck", by=world.municipal, reason="保留")
    assert message.startswith("第二十一条")
    recheck = rechecks.recheck_of(rechecking)
    rechecks.propose_recheck(
        recheck, findings="现场核查符合要求", proposal=Recheck.Proposal.KEEP, by=world.officer_nanshan
    )
    rechecks.decide_recheck(recheck, decision=Recheck.Proposal.KEEP, note="同意", by=world.municipal)
    rechecking.refresh_from_db()
    assert rechecking.state == State.LISTED


def test_remove_needs_a_ground_and_facts(world):
    listed = make_dossier(world.org_a, State.LISTED)
    assert refusal(listed, "remove", by=world.municipal, reason="x", ground="").startswith("第二十一条")
    with pytest.raises(services.TransitionRefused):
        services.transition(listed, "remove", by=world.municipal, reason="x")  # no ground at all: no 500


def test_lapse_is_the_deadline_jobs_alone_even_for_a_superuser(client, world):
    root = UserFactory(username="root", role=Role.STAFF, is_superuser=True, is_staff=True)
    dossier = make_dossier(world.org_a, year=2025)
    client.force_login(root)
    assert client.post(reverse("dossier_transition", args=[dossier.pk, "lapse"]), {"reason": "x"}).status_code == 404
    with pytest.raises(services.TransitionRefused):
        services.transition(dossier, "lapse", by=root, reason="x", via=Path.SWEEP)
    assert services.transition(dossier, "lapse", reason="x", via=Path.SWEEP).state == State.LAPSED


def test_national_inclusion_needs_a_matched_row_and_no_exclusion_under_articles_18_and_12(world):
    park = nominated_park(world)
    assert refusal(park, "include_in_national_list", via=Path.IMPORT).startswith("第十八条")
    ExclusionDeclaration.objects.create(
        organisation=park.organisation, condition=6, applies=True, event_date=datetime.date(2026, 10, 1)
    )
    with pytest.raises(services.TransitionRefused) as refused:
        national_list.apply_national_listing(
            year=2026, kind=Kind.PARK, organisation=park.organisation, name="园区", region="深圳", by=world.municipal
        )
    assert refused.value.message.startswith("第十二条第（六）项")
    park.refresh_from_db()
    assert park.state == State.NOMINATED


def nominated_park(world, **nominate):
    org = OrganisationFactory(name="深圳南山丙产业园运营管理有限公司")
    declare_eligible(org, Kind.PARK)
    park = attach_pdf(services.pool(org, Kind.PARK, 2026, now=at(2026, 1, 10)))
    for step, when in [("submit", at(2026, 3, 1)), ("recommend", at(2026, 5, 1)), ("pass_conformity", None)]:
        park = take_step(park, step, when or at(2026, 6, 20))
    park = services.transition(park, "open_review", by=world.municipal)
    return services.transition(park, "nominate", by=world.municipal, manual_reason=NO_REVIEW_IN_THIS_TEST)


# ---- 2. review and recommendation are complete before they move on (Art. 15-17) ----------------------


def test_publicity_refused_with_no_or_partial_expert_review_unless_a_reason_is_recorded(world):
    none_reviewed = make_dossier(world.org_a, State.IN_REVIEW)
    half_reviewed = make_dossier(world.org_b, State.IN_REVIEW)
    for expert in (world.expert, world.expert2):
        ExpertAssignment.objects.create(dossier=half_reviewed, expert=expert)
    for dossier, expected in ((none_reviewed, "0名评审专家中仅0名"), (half_reviewed, "2名评审专家中仅0名")):
        with pytest.raises(services.TransitionRefused) as refused:
            publicity.create_publicity_batch(
                year=2026, title="公示", starts_on=datetime.date(2026, 9, 28), picks=[(dossier, None, "")],
                contact="0755", by=world.municipal,
            )  # fmt: skip
        assert expected in refused.value.message
        assert refused.value.message.startswith(dossier.organisation.name + "：第十七条")
    batch = publicity.create_publicity_batch(
        year=2026, title="公示", starts_on=datetime.date(2026, 9, 28),
        picks=[(none_reviewed, None, "专家评审因故未能组织，经局务会研究同意")], contact="0755", by=world.municipal,
    )  # fmt: skip
    none_reviewed.refresh_from_db()
    assert none_reviewed.manual_selection_reason == "专家评审因故未能组织，经局务会研究同意"
    entry = TransitionLog.objects.get(dossier=none_reviewed, transition="select_for_publicity")
    assert entry.reason == "专家评审因故未能组织，经局务会研究同意"
    text = pdf_text(notices.publicity_notice(batch))
    assert "经组织评审" not in text
    assert "经审核" in text


def test_a_fully_reviewed_publicity_says_it_was_reviewed(world):
    dossier = make_dossier(world.org_a, State.IN_REVIEW)
    review_round = criteria_round(2026)
    assignment = ExpertAssignment.objects.create(dossier=dossier, expert=world.expert)
    expert_review.submit_final(
        assignment,
        scores={str(c.pk): 80 for c in review_round.criteria.all()},
        comment="好",
        declares_no_conflict=True,
    )
    batch = publicity.create_publicity_batch(
        year=2026, title="公示", starts_on=datetime.date(2026, 9, 28), picks=[(dossier, None, "")],
        contact="0755", by=world.municipal,
    )  # fmt: skip
    assert "经组织评审" in pdf_text(notices.publicity_notice(batch))


def test_nomination_from_the_ranking_page_needs_a_reason_when_review_is_incomplete(client, world):
    org = OrganisationFactory(name="深圳南山丁产业园运营管理有限公司")
    declare_eligible(org, Kind.PARK)
    park = attach_pdf(services.pool(org, Kind.PARK, 2026, now=at(2026, 1, 10)))
    for step, when in [("submit", at(2026, 3, 1)), ("recommend", at(2026, 5, 1)), ("pass_conformity", at(2026, 6, 2))]:
        park = take_step(park, step, when)
    park = services.transition(park, "open_review", by=world.municipal)
    client.force_login(world.municipal)
    url = reverse("nominate_selected") + "?year=2026&kind=park"
    page = client.post(url, {"dossiers": [park.pk]}, follow=True).content.decode()
    assert "第十七条" in page
    park.refresh_from_db()
    assert park.state == State.IN_REVIEW
    client.post(url, {"dossiers": [park.pk], f"note_{park.pk}": "评审专家回避后人数不足，经研究同意推荐"})
    park.refresh_from_db()
    assert (park.state, park.manual_selection_reason) == (State.NOMINATED, "评审专家回避后人数不足，经研究同意推荐")


# ---- 3. agencies (Art. 23-25) ---------------------------------------------------------------------


def test_an_evaluation_counts_in_the_calendar_year_it_is_made(world):
    agency = AgencyFactory()
    for _ in range(15):
        org = OrganisationFactory()
        declare_eligible(org)
        dossier = attach_pdf(make_dossier(org, year=2027, agency=agency))
        services.transition(dossier, "submit", now=at(2026, 12, 10))  # a 2027-cycle report made in 2026
    assert (agency.evaluations_in_year(2026), agency.evaluations_in_year(2027)) == (15, 0)
    org = OrganisationFactory()
    declare_eligible(org)
    sixteenth = attach_pdf(make_dossier(org, year=2027, agency=agency))
    assert refusal(sixteenth, "submit", now=at(2026, 12, 20)) == (
        f"第二十四条：第三方机构{agency.name}在2026年度已评价15家单位，不得再评价。"
    )
    assert services.transition(sixteenth, "submit", now=at(2027, 1, 5)).state == State.SUBMITTED


def test_switching_to_a_full_agency_after_a_return_is_refused(world):
    full = AgencyFactory()
    for _ in range(15):
        org = OrganisationFactory()
        declare_eligible(org)
        make_dossier(org, State.SUBMITTED, agency=full)
    returned = services.transition(
        make_dossier(world.org_a, State.SUBMITTED, agency=world.agency), "return_for_revision", reason="补充"
    )
    with pytest.raises(services.TransitionRefused) as refused:
        services.save_self_evaluation(
            returned, values={"evaluation_mode": "agency", "agency": full}, by=world.applicant_a, now=at(2026, 3, 6)
        )
    assert refused.value.message.startswith("第二十四条")
    returned.refresh_from_db()
    assert returned.agency == world.agency


def test_a_barred_agencys_result_cannot_pass_conformity_after_recommendation(world):
    recommended = make_dossier(world.org_a, State.RECOMMENDED, agency=world.agency)
    world.agency.bar(decided_on=datetime.date(2026, 6, 1), reason="报告造假")
    world.agency.save()
    with pytest.raises(services.TransitionRefused) as refused:
        conformity.record_conformity(
            recommended, results={k: True for k, _l in CONFORMITY_ITEMS}, reasons="", by=world.municipal
        )
    assert refused.value.message.startswith("第二十五条")
    recommended.refresh_from_db()
    assert recommended.state == State.RECOMMENDED
    assert not ConformityCheck.objects.filter(dossier=recommended).exists()  # nothing half-saved


def test_a_district_officer_flags_an_agency_on_the_portal(client, world):
    client.force_login(world.officer_nanshan)
    response = client.post(reverse("agency_list"), {"agency": world.agency.pk, "reason": "报告能耗数据前后矛盾"})
    assert response.status_code == 302
    flag = AgencyFlag.objects.get()
    assert (flag.agency, flag.district, flag.flagged_by) == (
        world.agency,
        world.officer_nanshan.district,
        world.officer_nanshan,
    )
    client.force_login(world.municipal)
    assert "报告能耗数据前后矛盾" in client.get(reverse("agency_list")).content.decode()
    client.force_login(world.applicant_a)
    assert client.get(reverse("agency_list")).status_code == 404


# ---- 4. exclusions are dated facts ----------------------------------------------------------------


def test_a_failed_credit_check_at_conformity_records_the_exclusion(world):
    recommended = make_dossier(world.org_a, State.RECOMMENDED)
    results = {k: True for k, _l in CONFORMITY_ITEMS} | {"exclusions": False}
    conformity.record_conformity(
        recommended, results=results, reasons="信用中国显示2026年5月税务违法", by=world.municipal
    )
    recorded = ExclusionDeclaration.objects.get(organisation=world.org_a, applies=True)
    assert (recorded.condition, recorded.source, recorded.declared_by) == (
        ExclusionCondition.ACCIDENT_OR_VIOLATION, "staff", world.municipal,
    )  # fmt: skip
    with pytest.raises(services.TransitionRefused) as refused:
        services.pool(world.org_a, Kind.FACTORY, 2027)
    assert refused.value.message.startswith("第十二条第（二）项")


def test_only_city_staff_lift_an_exclusion_on_the_organisation_page(client, world):
    recorded = services.record_exclusion(
        world.org_a,
        condition=6,
        event_date=datetime.date(2026, 10, 1),
        evidence="失信被执行人名单",
        by=world.officer_nanshan,
    )
    client.force_login(world.officer_nanshan)
    url = reverse("lift_exclusion", args=[world.org_a.pk, recorded.pk])
    assert client.post(url, {"reason": "已移出"}).status_code == 404
    client.force_login(world.municipal)
    client.post(url, {"reason": "法院已移出失信被执行人名单"})
    recorded.refresh_from_db()
    assert (recorded.lifted_by, recorded.lift_reason) == (world.municipal, "法院已移出失信被执行人名单")
    assert world.org_a.active_exclusions() == []


# ---- 5. after listing -------------------------------------------------------------------------------


def test_a_unit_only_on_miits_list_gets_a_listed_national_dossier(world):
    org = OrganisationFactory(name="深圳市国家级绿色工厂有限公司")
    national_list.apply_national_listing(
        year=2026, kind=Kind.FACTORY, organisation=org, name=org.name, region="广东省深圳市", by=world.municipal
    )
    dossier = org.dossiers.get()
    assert (dossier.state, dossier.level, dossier.cycle_year) == (State.LISTED, "national", 2026)
    assert list(dossier.transitions.values_list("transition", "to_state")) == [("enter_national_list", State.LISTED)]
    removed = services.transition(
        dossier, "remove", by=world.municipal, reason="重大安全事故", ground=RemovalGround.MAJOR_ACCIDENT
    )
    assert removed.state == State.REMOVED


def test_the_triennial_cycle_counts_from_the_due_date(world):
    listed = make_dossier(world.org_a, State.LISTED)
    assert listed.next_recheck_due == datetime.date(2029, 9, 10)
    rechecking = services.transition(listed, "open_recheck", via=Path.SWEEP, now=at(2029, 9, 10))
    recheck = rechecks.recheck_of(rechecking)
    rechecks.propose_recheck(recheck, findings="符合", proposal=Recheck.Proposal.KEEP, by=world.officer_nanshan)
    kept = services.transition(rechecking, "keep_after_recheck", by=world.municipal, reason="保留", now=at(2030, 2, 20))
    assert kept.next_recheck_due == datetime.date(2032, 9, 10)


# ---- helpers -----------------------------------------------------------------------------------------


def criteria_round(year):
    from decimal import Decimal

    from reviews.models import Criterion, Round

    review_round, _ = Round.objects.get_or_create(year=year, kind=Kind.FACTORY)
    Criterion.objects.get_or_create(
        round=review_round, name="能源低碳化", defaults={"weight": Decimal(100), "max_score": 100}
    )
    return review_round


def test_after_a_bar_the_applicant_attaches_a_new_accepted_report_and_the_dossier_goes_on(client, world):
    """第二十五条: the barred agency's report blocks conformity until a new, accepted report is attached."""
    from tests.factories import MINIMAL_PDF

    recommended = make_dossier(world.org_a, State.RECOMMENDED, agency=world.agency)
    world.agency.bar(decided_on=datetime.date(2026, 6, 1), reason="报告造假")
    world.agency.save()
    other = AgencyFactory(name="深圳市丁评价技术有限公司")
    client.force_login(world.applicant_a)
    page = client.get(reverse("dossier_detail", args=[recommended.pk])).content.decode()
    assert 'data-testid="replace-report"' in page
    assert "第二十五条：出具评价报告的第三方机构已被禁止" in page
    url = reverse("replace_report", args=[recommended.pk])
    response = client.post(
        url, {"agency": other.pk, "attested": "on", "report": SimpleUploadedFile("new.pdf", MINIMAL_PDF)}
    )
    assert response.status_code == 302
    recommended.refresh_from_db()
    assert (recommended.agency, recommended.state) == (other, State.RECOMMENDED)
    assert other.evaluations_in_year(timezone_year()) == 1
    passed = municipal_pass(recommended, world)
    assert passed.state == State.IN_LIBRARY
    # Once the agency is in good standing there is nothing to replace.
    assert client.get(url).status_code == 404


def test_a_report_is_not_replaced_by_one_from_another_barred_or_full_agency(world):
    from tests.factories import MINIMAL_PDF

    recommended = make_dossier(world.org_a, State.RECOMMENDED, agency=world.agency)
    world.agency.bar(decided_on=datetime.date(2026, 6, 1), reason="报告造假")
    world.agency.save()
    barred_too = AgencyFactory()
    barred_too.bar(decided_on=datetime.date(2026, 6, 1), reason="同案")
    barred_too.save()
    with pytest.raises(services.TransitionRefused) as refused:
        services.replace_barred_report(
            recommended,
            uploaded_file=SimpleUploadedFile("r.pdf", MINIMAL_PDF),
            attested=True,
            agency=barred_too,
            by=world.applicant_a,
        )
    assert refused.value.message.startswith("第二十五条")
    recommended.refresh_from_db()
    assert recommended.agency == world.agency


def timezone_year():
    from django.utils import timezone

    return timezone.localdate().year


def municipal_pass(dossier, world):
    return conformity.record_conformity(
        dossier, results={k: True for k, _l in CONFORMITY_ITEMS}, reasons="", by=world.municipal
    )
