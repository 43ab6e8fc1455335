"""The municipal workspace: conformity, expert review and ranking, publicity, objections, publication."""

import datetime
import json
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from applications.models import Kind, State
from applications.services import TransitionRefused
from greenfactory.sweeps import run_sweep
from registry import services as registry_services
from reviews import expert_review, objections, publicity
from reviews.models import Criterion, ExpertLink, Objection, Round
from tests.conftest import NO_REVIEW_IN_THIS_TEST, at, checked, make_dossier, take_step
from tests.factories import OrganisationFactory, declare_eligible, district

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def round_2026(db):
    review_round = Round.objects.create(
        year=2026, kind=Kind.FACTORY, select_count=2, objection_contact="市工业和信息化局节能处 0755-88100000"
    )
    energy = Criterion.objects.create(round=review_round, name="能源低碳化", weight=Decimal(60), max_score=100, order=1)
    resources = Criterion.objects.create(
        round=review_round, name="资源高效化", weight=Decimal(40), max_score=50, order=2
    )
    return review_round, energy, resources


def factory_in(state, name, code="nanshan"):
    org = OrganisationFactory(name=name, district=district(code))
    declare_eligible(org)
    return make_dossier(org, state)


def score(expert, dossier, energy_score, resources_score, round_2026, assign):
    _round, energy, resources = round_2026
    assignment = assign(dossier, expert)
    return expert_review.submit_final(
        assignment,
        scores={str(energy.pk): energy_score, str(resources.pk): resources_score},
        comment="",
        declares_no_conflict=True,
    )


def test_conformity_pass_and_fail_with_reasons_shown_to_district_and_applicant(client, world):
    passed = make_dossier(world.org_a, State.RECOMMENDED)
    failed = make_dossier(world.org_b, State.RECOMMENDED)
    client.force_login(world.municipal)
    everything = {f"item_{k}": "on" for k in ("complete", "report", "eligibility", "exclusions", "consistency")}
    client.post(reverse("conformity_check", args=[passed.pk]), everything)
    client.post(
        reverse("conformity_check", args=[failed.pk]),
        everything | {"item_report": "", "reasons": "评价报告未按GB/T 36132编制"},
    )
    passed.refresh_from_db()
    failed.refresh_from_db()
    assert (passed.state, failed.state) == (State.IN_LIBRARY, State.NOT_PASSED)
    for user in (world.applicant_b, world.officer_futian):
        client.force_login(user)
        assert "评价报告未按GB/T 36132编制" in client.get(reverse("dossier_detail", args=[failed.pk])).content.decode()


def test_conformity_pages_are_for_the_city_only(client, world):
    dossier = make_dossier(world.org_a, State.RECOMMENDED)
    client.force_login(world.officer_nanshan)
    assert client.get(reverse("conformity_check", args=[dossier.pk])).status_code == 404
    assert client.get(reverse("ranking")).status_code == 404


def test_weighted_total_and_aggregate(world, round_2026, assign):
    dossier = make_dossier(world.org_a, State.IN_REVIEW)
    assert score(world.expert, dossier, 80, 40, round_2026, assign).total == Decimal("80.00")  # 48 + 32
    assert score(world.expert2, dossier, 90, 25, round_2026, assign).total == Decimal("74.00")  # 54 + 20
    row = expert_review.ranking(2026, Kind.FACTORY)["rows"][0]
    assert (row["aggregate"], row["count"]) == (Decimal("77.00"), 2)
    assert row["criteria"][round_2026[1].pk] == Decimal("85.00")


def test_score_outside_the_range_is_refused(world, round_2026, assign):
    dossier = make_dossier(world.org_a, State.IN_REVIEW)
    with pytest.raises(TransitionRefused):
        score(world.expert, dossier, 80, 51, round_2026, assign)


def test_expert_with_a_declared_link_is_not_assigned(world):
    dossier = make_dossier(world.org_a, State.IN_REVIEW, agency=world.agency)
    ExpertLink.objects.create(expert=world.expert, agency=world.agency, note="曾任该机构顾问")
    made, refused = expert_review.assign_experts([dossier], [world.expert, world.expert2], by=world.municipal)
    assert made == 1
    assert "曾任该机构顾问" in refused[0]


def test_expert_cannot_open_unassigned_or_conflicted_dossiers(client, world, assign):
    mine = make_dossier(world.org_a, State.IN_REVIEW)
    other = make_dossier(world.org_b, State.IN_REVIEW)
    assignment = assign(mine, world.expert)
    client.force_login(world.expert)
    assert client.get(reverse("expert_score", args=[assignment.pk])).status_code == 200
    assert client.get(reverse("dossier_detail", args=[other.pk])).status_code == 404
    client.post(reverse("expert_score", args=[assignment.pk]), {"conflict": "1", "note": "与该企业存在亲属关系"})
    assert client.get(reverse("expert_score", args=[assignment.pk])).status_code == 404
    assert client.get(reverse("dossier_detail", args=[mine.pk])).status_code == 404
    other_expert_assignment = assign(other, world.expert2)
    assert client.get(reverse("expert_score", args=[other_expert_assignment.pk])).status_code == 404


def test_publicity_starting_28_september_ends_on_9_october(client, world, round_2026):
    dossier = make_dossier(world.org_a, State.IN_REVIEW)
    batch = publicity.create_publicity_batch(
        year=2026,
        title="2026年度市级绿色工厂拟认定名单",
        starts_on=D(2026, 9, 28),
        picks=[(dossier, None, NO_REVIEW_IN_THIS_TEST)],
        contact="节能处",
        by=world.municipal,
    )
    assert batch.ends_on == D(2026, 10, 9)
    dossier.refresh_from_db()
    assert (dossier.state, dossier.publicity_ends_on) == (State.IN_PUBLICITY, D(2026, 10, 9))
    client.force_login(world.municipal)
    page = client.get(reverse("publicity_batch", args=[batch.pk])).content.decode()
    assert '<strong data-testid="ends-on">2026-10-09</strong>' in page


@pytest.fixture
def running_publicity(world):
    first = factory_in(State.IN_REVIEW, "深圳市第一绿色工厂有限公司")
    second = factory_in(State.IN_REVIEW, "深圳市第二绿色工厂有限公司", "futian")
    batch = publicity.create_publicity_batch(
        year=2026,
        title="2026年度市级绿色工厂拟认定名单",
        starts_on=D(2026, 9, 28),
        picks=[(first, Decimal("90"), NO_REVIEW_IN_THIS_TEST), (second, Decimal("80"), NO_REVIEW_IN_THIS_TEST)],
        contact="节能处 0755-88100000",
        by=world.municipal,
    )
    return batch, first, second


def test_public_page_without_login_and_real_name_objections(client, running_publicity):
    batch, first, _second = running_publicity
    with time_machine.travel(at(2026, 9, 29), tick=False):
        page = client.get(reverse("public_publicity", args=[batch.pk])).content.decode()
        assert "深圳市第一绿色工厂有限公司" in page and "福田区" in page and "2026-10-09" in page
        assert first.organisation.credit_code not in page
        entry = batch.entries.get(dossier=first)
        anonymous = {"entry": entry.pk, "objector_kind": "person", "name": "匿名", "phone": "", "content": "有问题"}
        response = client.post(reverse("public_publicity", args=[batch.pk]), anonymous)
        assert "不受理匿名异议" in response.content.decode()
        assert Objection.objects.count() == 0
        real = anonymous | {"name": "张三", "phone": "13900000000"}
        assert client.post(reverse("public_publicity", args=[batch.pk]), real).status_code == 302
        assert Objection.objects.get().objector_name == "张三"
        assert "张三" not in client.get(reverse("public_publicity", args=[batch.pk])).content.decode()
    with time_machine.travel(at(2026, 10, 12), tick=False):
        late = anonymous | {"name": "李四", "phone": "13900000001"}
        assert "只在公示期内受理" in client.post(reverse("public_publicity", args=[batch.pk]), late).content.decode()


def test_objector_identity_only_for_city_staff(client, world, running_publicity):
    batch, first, _second = running_publicity
    Objection.objects.create(
        dossier=first, objector_kind="person", objector_name="王秘密", objector_phone="139", content="异议"
    )
    client.force_login(world.officer_nanshan)
    assert "王秘密" not in client.get(reverse("dossier_detail", args=[first.pk])).content.decode()
    assert client.get(reverse("publicity_batch", args=[batch.pk])).status_code == 404
    client.force_login(world.applicant_a)
    assert "王秘密" not in client.get(reverse("dossier_detail", args=[first.pk])).content.decode()
    client.force_login(world.municipal)
    assert "王秘密" in client.get(reverse("publicity_batch", args=[batch.pk])).content.decode()


def test_upheld_objection_removes_the_unit_and_publication_ranks_the_rest(world, running_publicity):
    batch, first, second = running_publicity
    objection = Objection.objects.create(
        dossier=first, objector_kind="unit", objector_name="某公司", objector_phone="1", content="数据造假"
    )
    with pytest.raises(TransitionRefused):
        registry_services.publish_list(batch, title="名单", by=world.municipal)
    objections.decide_objection(objection, uphold=True, note="经核实，异议成立", by=world.municipal)
    first.refresh_from_db()
    assert first.state == State.NOT_PASSED
    run_sweep("clear_ended_publicity", at(2026, 10, 12, 0, 30))
    published = registry_services.publish_list(batch, title="2026年度深圳市市级绿色工厂名单", by=world.municipal)
    second.refresh_from_db()
    assert (second.state, second.rank, second.level, second.published_list) == (State.LISTED, 1, "municipal", published)


def test_dismissed_objection_after_the_period_clears_the_unit(world, running_publicity):
    batch, first, second = running_publicity
    objection = Objection.objects.create(
        dossier=first, objector_kind="person", objector_name="张三", objector_phone="1", content="?"
    )
    run_sweep("clear_ended_publicity", at(2026, 10, 12, 0, 30))
    first.refresh_from_db()
    assert first.cleared_for_publication_at is None
    with time_machine.travel(at(2026, 10, 13), tick=False):
        objections.decide_objection(objection, uphold=False, note="经核实，异议不成立", by=world.municipal)
    registry_services.publish_list(batch, title="名单", by=world.municipal)
    first.refresh_from_db()
    second.refresh_from_db()
    assert [(first.state, first.rank), (second.state, second.rank)] == [(State.LISTED, 1), (State.LISTED, 2)]


def test_public_lists_filter_and_open_data(client, world, running_publicity):
    batch, _first, _second = running_publicity
    run_sweep("clear_ended_publicity", at(2026, 10, 12, 0, 30))
    registry_services.publish_list(batch, title="名单", by=world.municipal)
    page = client.get(reverse("public_lists"), {"district": district("futian").pk})
    assert [r["name"] for r in page.context["rows"]] == ["深圳市第二绿色工厂有限公司"]
    data = json.loads(client.get(reverse("public_lists"), {"format": "json", "year": "2026"}).content)
    assert [(r["rank"], r["name"], r["level"]) for r in data["items"]] == [
        (1, "深圳市第一绿色工厂有限公司", "municipal"),
        (2, "深圳市第二绿色工厂有限公司", "municipal"),
    ]
    csv_text = b"".join(client.get(reverse("public_lists"), {"format": "csv"}).streaming_content).decode("utf-8-sig")
    assert csv_text.splitlines()[1].startswith("2026,1,深圳市第一绿色工厂有限公司,南山区")


def test_parks_are_nominated_and_listed_factories_recommended_to_miit(client, world):
    park_org = OrganisationFactory(name="深圳南山示范产业园运营管理有限公司")
    declare_eligible(park_org, Kind.PARK)
    from applications import services

    park = services.pool(park_org, Kind.PARK, 2026, now=at(2026, 1, 10))
    from tests.factories import attach_pdf

    attach_pdf(park)
    for name, when in [
        ("submit", at(2026, 3, 1)),
        ("recommend", at(2026, 5, 1)),
        ("pass_conformity", None),
        ("open_review", None),
    ]:
        park = take_step(park, name, when or at(2026, 7, 1))
    services.transition(park, "nominate", by=world.municipal, reason="遴选推荐", manual_reason="测试")
    listed = make_dossier(world.org_a, State.LISTED)
    client.force_login(world.municipal)
    client.post(reverse("nominations") + "?year=2026", {"dossier": listed.pk, "note": "优秀"})
    export = client.get(reverse("nominations"), {"year": "2026", "format": "xlsx"})
    from io import BytesIO

    from openpyxl import load_workbook

    names = [row[0] for row in load_workbook(BytesIO(export.content)).active.iter_rows(min_row=2, values_only=True)]
    assert names == ["深圳南山示范产业园运营管理有限公司", world.org_a.name]


def test_ranking_page_shows_the_aggregate_and_exports(client, world, round_2026, assign):
    dossier = make_dossier(world.org_a, State.IN_REVIEW)
    score(world.expert, dossier, 80, 40, round_2026, assign)
    client.force_login(world.municipal)
    page = client.get(reverse("ranking"), {"year": 2026, "kind": "factory"}).content.decode()
    assert '<td class="fw-semibold" data-testid="aggregate">80.00</td>' in page
    assert client.get(reverse("ranking"), {"year": 2026, "kind": "factory", "format": "xlsx"}).status_code == 200


def test_other_experts_scores_are_shown_only_after_ones_own_review(client, world, round_2026, assign):
    dossier = make_dossier(world.org_a, State.IN_REVIEW)
    score(world.expert2, dossier, 50, 25, round_2026, assign)
    assignment = assign(dossier, world.expert)
    client.force_login(world.expert)
    assert "其他专家" not in client.get(reverse("expert_score", args=[assignment.pk])).content.decode()
    energy, resources = round_2026[1], round_2026[2]
    client.post(
        reverse("expert_score", args=[assignment.pk]),
        {f"c{energy.pk}": "80", f"c{resources.pk}": "40", "comment": "好", "no_conflict": "on", "final": "1"},
    )
    page = client.get(reverse("expert_score", args=[assignment.pk])).content.decode()
    assert "其他专家" in page and "50.00" in page
    round_2026[0].score_visibility = Round.Visibility.NEVER
    round_2026[0].save()
    assert "其他专家" not in client.get(reverse("expert_score", args=[assignment.pk])).content.decode()


def pdf_text(content):
    import io

    from pypdf import PdfReader

    return "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages)


def test_notice_pdf_from_the_batch_page_shows_the_working_day_end(client, world):
    dossier = make_dossier(world.org_a, State.IN_REVIEW)
    batch = publicity.create_publicity_batch(
        year=2026,
        title="2026年度市级绿色工厂拟认定名单",
        starts_on=D(2026, 9, 28),
        picks=[(dossier, None, NO_REVIEW_IN_THIS_TEST)],
        contact="节能处",
        by=world.municipal,
    )
    client.force_login(world.municipal)
    response = client.get(reverse("publicity_notice_pdf", args=[batch.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "2026年9月28日" in text and "2026年10月9日" in text
    assert world.org_a.name in text
    client.force_login(world.officer_nanshan)
    assert client.get(reverse("publicity_notice_pdf", args=[batch.pk])).status_code == 404


def test_district_downloads_its_recommendation_letter_only(client, world):
    from reviews.recommendation import recommend_batch

    dossier = checked(make_dossier(world.org_a, State.SUBMITTED, year=2027))
    batch = recommend_batch(
        district=district("nanshan"), cycle_year=2027, dossiers=[dossier], by=world.officer_nanshan, now=at(2027, 5, 20)
    )
    client.force_login(world.officer_nanshan)
    text = pdf_text(client.get(reverse("recommendation_letter_pdf", args=[batch.pk])).content)
    assert "南山区工业和信息化局" in text and world.org_a.name in text
    client.force_login(world.officer_futian)
    assert client.get(reverse("recommendation_letter_pdf", args=[batch.pk])).status_code == 404


def test_a_failed_conformity_check_needs_written_reasons(client, world):
    dossier = make_dossier(world.org_a, State.RECOMMENDED)
    client.force_login(world.municipal)
    response = client.post(reverse("conformity_check", args=[dossier.pk]), {}, follow=True)
    assert "不符合" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.state == State.RECOMMENDED


def test_objection_evidence_is_for_the_deciding_staff_only(client, world, running_publicity):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import MINIMAL_PDF

    _batch, first, _second = running_publicity
    objection = Objection.objects.create(
        dossier=first, objector_kind="unit", objector_name="某公司", objector_phone="1", content="x"
    )
    objection.evidence.save("e.pdf", SimpleUploadedFile("e.pdf", MINIMAL_PDF))
    url = reverse("objection_evidence", args=[objection.pk])
    client.force_login(world.officer_nanshan)
    assert client.get(url).status_code == 404
    client.force_login(world.municipal)
    assert b"".join(client.get(url).streaming_content) == MINIMAL_PDF
