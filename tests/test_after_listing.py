"""Issue #6: annual forms and changes, rechecks, removals, real-name reports, the national list, dashboards."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from applications import annual, services
from applications.models import AnnualChange, AnnualReport, Indicator, IndicatorSet, Kind, RemovalGround, State
from registry import national_list, rechecks, reports
from registry.models import NationalListing, Recheck, Removal, Report
from registry.services import remove_from_list
from tests.conftest import NO_REVIEW_IN_THIS_TEST, at, make_dossier, take_step
from tests.factories import MINIMAL_PDF, OrganisationFactory, attach_pdf, declare_eligible

pytestmark = pytest.mark.django_db


@pytest.fixture
def indicators(db):
    indicator_set = IndicatorSet.objects.create(year=2026)
    energy = Indicator.objects.create(
        indicator_set=indicator_set,
        code="energy_per_unit",
        name="单位产品综合能耗",
        unit="tce/万件",
        worsen_threshold=Decimal(10),
    )
    renewable = Indicator.objects.create(
        indicator_set=indicator_set,
        code="renewable",
        name="可再生能源使用比例",
        unit="%",
        higher_is_better=True,
        required=False,
    )
    return energy, renewable


NO_EXCLUSIONS = {str(n): {"applies": False, "evidence": "无"} for n in range(1, 7)}


def test_annual_form_flags_worsening_and_a_declared_name_change_reaches_the_organisation(world, indicators):
    listed = make_dossier(world.org_a, State.LISTED)
    old_name = world.org_a.name
    last_year = annual.open_report(listed, 2026)
    annual.submit_report(
        last_year,
        values={"energy_per_unit": "1.00", "renewable": "20"},
        compliance=NO_EXCLUSIONS,
        changes=[],
        by=world.applicant_a,
    )
    report = annual.open_report(listed, 2027)
    changes = [(AnnualChange.Field.NAME, "深圳市甲绿色智造股份有限公司", "股份制改造，已完成工商变更")]
    report = annual.submit_report(
        report,
        values={"energy_per_unit": "1.25", "renewable": "19"},
        compliance=NO_EXCLUSIONS,
        changes=changes,
        by=world.applicant_a,
    )
    assert [f["code"] for f in report.flags] == ["energy_per_unit"]  # +25 % > 10 %; renewable only -5 %
    annual.check_report(report, accept=True, note="", by=world.officer_nanshan)
    change = report.changes.get()
    annual.propose_change(change, opinion="已核实营业执照", by=world.officer_nanshan)
    annual.decide_change(change, approve=True, note="同意", by=world.municipal)
    world.org_a.refresh_from_db()
    assert world.org_a.name == "深圳市甲绿色智造股份有限公司"
    assert world.org_a.history.earliest().name == old_name


def test_required_indicators_are_enforced(world, indicators):
    report = annual.open_report(make_dossier(world.org_a, State.LISTED), 2027)
    with pytest.raises(services.TransitionRefused) as refused:
        annual.submit_report(
            report, values={"renewable": "5"}, compliance=NO_EXCLUSIONS, changes=[], by=world.applicant_a
        )
    assert "单位产品综合能耗" in refused.value.message


def test_overdue_forms_are_listed_for_the_district(client, world):
    from greenfactory.sweeps import run_sweep

    make_dossier(world.org_a, State.LISTED)
    run_sweep("annual_form_reminders", at(2027, 3, 1, 9))
    run_sweep("mark_overdue_annual_forms", at(2027, 3, 16, 0, 10))
    client.force_login(world.officer_nanshan)
    page = client.get(reverse("annual_list"), {"year": 2027, "overdue": 1})
    assert [r.dossier.organisation for r in page.context["reports"]] == [world.org_a]
    dashboard = client.get(reverse("dashboard"))
    assert dashboard.context["overdue"] == 1


def test_recheck_keep_and_remove(world):
    kept = make_dossier(world.org_a, State.LISTED)
    services.transition(kept, "open_recheck", by=world.officer_nanshan, reason="三年复核")
    recheck = rechecks.recheck_of(kept)
    rechecks.propose_recheck(
        recheck, findings="各项指标保持先进", proposal=Recheck.Proposal.KEEP, by=world.officer_nanshan
    )
    rechecks.decide_recheck(recheck, decision=Recheck.Proposal.KEEP, note="同意保留", by=world.municipal)
    kept.refresh_from_db()
    assert kept.state == State.LISTED
    assert kept.next_recheck_due > datetime.date.today()
    removed = make_dossier(world.org_b, State.LISTED)
    services.transition(removed, "open_recheck", by=world.officer_futian, reason="三年复核")
    recheck = rechecks.recheck_of(removed)
    rechecks.propose_recheck(
        recheck, findings="已停产14个月", proposal=Recheck.Proposal.REMOVE, by=world.officer_futian
    )
    rechecks.decide_recheck(recheck, decision=Recheck.Proposal.REMOVE, note="连续停产超过12个月", by=world.municipal)
    removed.refresh_from_db()
    assert (removed.state, removed.removal.ground) == (State.REMOVED, RemovalGround.EXCLUSION_CONDITION)


def pdf_text(content):
    from pypdf import PdfReader

    return "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(content)).pages)


def test_immediate_removal_is_public_with_a_notice_naming_the_unit(client, world):
    listed = make_dossier(world.org_a, State.LISTED)
    client.force_login(world.municipal)
    client.post(
        reverse("remove_from_list", args=[listed.pk]),
        {"ground": RemovalGround.ENVIRONMENTAL_INCIDENT, "reason": "发生Ⅱ级突发环境事件"},
    )
    removal = Removal.objects.get(dossier=listed)
    assert removal.reported_to_miit is True  # 第二十二条
    client.post(reverse("document_issue", args=["removal", removal.pk]))
    client.logout()
    assert world.org_a.name in client.get(reverse("public_removals")).content.decode()
    text = pdf_text(client.get(reverse("removal_pdf", args=[removal.pk])).content)
    assert world.org_a.name in text and "移出" in text


def national_sheet(rows, header=("序号", "地区", "名称", "统一社会信用代码")):
    book = Workbook()
    book.active.append(list(header))
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def nominated_park(name):
    org = OrganisationFactory(name=name)
    declare_eligible(org, Kind.PARK)
    park = attach_pdf(services.pool(org, Kind.PARK, 2026, now=at(2026, 1, 10)))
    for step, when in [
        ("submit", at(2026, 3, 1)),
        ("recommend", at(2026, 5, 1)),
        ("pass_conformity", None),
        ("open_review", None),
    ]:
        park = take_step(park, step, when or at(2026, 7, 1))
    park = services.transition(park, "nominate", reason="x", manual_reason=NO_REVIEW_IN_THIS_TEST)
    return park


def test_national_list_import_is_idempotent_and_reports_unmatched_rows(world):
    included = nominated_park("深圳南山甲产业园运营管理有限公司")
    left_out = nominated_park("深圳南山乙产业园运营管理有限公司")
    content = national_sheet([
        (1, "广东省深圳市", included.organisation.name, ""),
        (2, "广东省深圳市", "不存在的园区运营管理有限公司", ""),
    ])  # fmt: skip
    for _ in range(2):
        _imported, _added, unmatched = national_list.import_national_list(
            SimpleUploadedFile("national.xlsx", content), year=2026, kind=Kind.PARK, by=world.municipal
        )
        assert [r.name for r in unmatched] == ["不存在的园区运营管理有限公司"]
    assert NationalListing.objects.filter(year=2026, kind=Kind.PARK).count() == 1
    included.refresh_from_db()
    assert (included.state, included.level) == (State.LISTED, "national")
    assert included.transitions.filter(transition="include_in_national_list").count() == 1
    national_list.close_national_round(year=2026, kind=Kind.PARK, by=world.municipal)
    left_out.refresh_from_db()
    assert left_out.state == State.NOT_PASSED
    assert "未列入工信部2026年度国家层面名单" in left_out.outcome_reason


def test_national_listing_of_a_listed_factory_raises_its_level_and_matches_by_credit_code(world):
    listed = make_dossier(world.org_a, State.LISTED)
    content = national_sheet([(1, "深圳", "名称不同也能按代码匹配", world.org_a.credit_code)])
    national_list.import_national_list(
        SimpleUploadedFile("f.xlsx", content), year=2026, kind=Kind.FACTORY, by=world.municipal
    )
    listed.refresh_from_db()
    assert listed.level == "national"


def evidence():
    """第二十五条: a report comes with supporting material."""
    return SimpleUploadedFile("佐证材料.pdf", MINIMAL_PDF, content_type="application/pdf")


def test_anonymous_report_refused_and_reporter_hidden_from_the_district(client, world):
    make_dossier(world.org_a, State.LISTED)
    data = {"target": world.org_a.name, "name": "", "contact": "", "content": "数据造假"}
    response = client.post(reverse("public_report"), data)
    assert "不受理匿名举报" in response.content.decode()
    assert Report.objects.count() == 0
    client.post(reverse("public_report"), data | {"name": "赵举报", "contact": "13700000000", "evidence": evidence()})
    report = Report.objects.get()
    client.force_login(world.officer_nanshan)
    assert client.get(reverse("city_report", args=[report.pk])).status_code == 404
    for url in (
        reverse("home"),
        reverse("dashboard"),
        reverse("organisation_detail", args=[world.org_a.pk]),
        reverse("district_reports"),
        reverse("district_report", args=[report.pk]),
    ):
        assert "赵举报" not in client.get(url).content.decode()
    client.force_login(world.municipal)
    assert "赵举报" in client.get(reverse("city_report", args=[report.pk])).content.decode()


def test_report_against_an_agency_bars_it_for_three_years(world):
    report = reports.file_report(
        agency=world.agency, name="钱举报", contact="1", content="出具虚假报告", evidence=evidence()
    )
    reports.decide_report(report, decision=Report.Decision.BAR_AGENCY, note="经核实，报告数据造假", by=world.municipal)
    world.agency.refresh_from_db()
    assert world.agency.barred_until == datetime.date.today().replace(year=datetime.date.today().year + 3)
    report.refresh_from_db()
    assert report.reported_to_miit is True


def test_upheld_report_removes_the_unit(world):
    listed = make_dossier(world.org_a, State.LISTED)
    report = reports.file_report(
        organisation=world.org_a, name="孙举报", contact="1", content="数据造假", evidence=evidence()
    )
    reports.decide_report(report, decision=Report.Decision.REMOVE, note="查实", by=world.municipal)
    listed.refresh_from_db()
    assert (listed.state, listed.removal_ground) == (State.REMOVED, RemovalGround.UPHELD_REPORT)


def test_dashboard_counts_by_district_kind_and_level(client, world):
    make_dossier(world.org_a, State.LISTED)
    make_dossier(world.org_b, State.LISTED)
    client.force_login(world.municipal)
    page = client.get(reverse("dashboard"))
    rows = {district.name: values for district, values in page.context["table"]}
    factory_municipal = page.context["labels"].index("绿色工厂·市级")
    assert (rows["南山区"][factory_municipal], rows["福田区"][factory_municipal]) == (1, 1)
    client.force_login(world.officer_nanshan)
    assert [d.name for d, _values in client.get(reverse("dashboard")).context["table"]] == ["南山区"]
    assert client.get(reverse("dashboard"), {"format": "xlsx"}).status_code == 200


def test_removed_units_close_up_even_via_reports(world):
    a = make_dossier(world.org_a, State.LISTED)
    remove_from_list(a, ground=RemovalGround.FALSIFIED_DATA, reason="造假", by=world.municipal)
    assert Removal.objects.get(dossier=a).reported_to_miit is False
    assert AnnualReport.objects.count() == 0


def test_a_national_unit_without_a_dossier_here_counts_as_listed(client, world):
    org = OrganisationFactory(name="深圳市国家级直报制造有限公司")
    content = national_sheet([(1, "深圳", org.name, org.credit_code)])
    national_list.import_national_list(
        SimpleUploadedFile("f.xlsx", content), year=2026, kind=Kind.FACTORY, by=world.municipal
    )
    rows = client.get(reverse("public_lists"), {"format": "json", "level": "national"}).json()["items"]
    assert [(r["name"], r["level"]) for r in rows] == [(org.name, "national")]
    client.force_login(world.municipal)
    page = client.get(reverse("dashboard"))
    table = {district.name: values for district, values in page.context["table"]}
    assert table["南山区"][page.context["labels"].index("绿色工厂·国家级")] == 1


def test_a_unit_listed_this_year_has_no_annual_form_due_yet(client, world):
    import time_machine

    listed = make_dossier(world.org_a, State.LISTED)  # listed on 2026-09-10
    client.force_login(world.applicant_a)
    with time_machine.travel(at(2026, 11, 25), tick=False):
        response = client.get(reverse("annual_form", args=[listed.pk]), follow=True)
    assert AnnualReport.objects.count() == 0
    assert "2027" in response.content.decode()
    with time_machine.travel(at(2027, 3, 2), tick=False):
        client.force_login(world.applicant_a)  # the first session has expired by then
        assert client.get(reverse("annual_form", args=[listed.pk])).status_code == 200
    assert list(AnnualReport.objects.values_list("year", flat=True)) == [2027]


def test_notifications_name_the_state_the_dossier_moved_to(world, django_capture_on_commit_callbacks):
    dossier = make_dossier(world.org_a, State.SUBMITTED, year=2027)
    with django_capture_on_commit_callbacks(execute=True):
        services.transition(dossier, "return_for_revision", by=world.officer_nanshan, reason="补充", now=at(2027, 3, 2))
        services.transition(
            type(dossier).objects.get(pk=dossier.pk),
            "withdraw",
            by=world.applicant_a,
            reason="撤回",
            now=at(2027, 3, 3),
        )
    titles = list(world.applicant_a.notifications.order_by("pk").values_list("title", flat=True))
    assert titles[0].endswith("退回修改 → 退回修改")


def test_the_announcement_of_record_keeps_what_was_published(world):
    from registry.models import PublishedList
    from reviews import publicity

    first, second = make_dossier(world.org_a, State.IN_REVIEW), make_dossier(world.org_b, State.IN_REVIEW)
    batch = publicity.create_publicity_batch(
        year=2026,
        title="t",
        starts_on=datetime.date(2026, 9, 28),
        picks=[(first, None, NO_REVIEW_IN_THIS_TEST), (second, None, NO_REVIEW_IN_THIS_TEST)],
        contact="c",
        by=world.municipal,
    )
    from greenfactory.sweeps import run_sweep
    from registry.services import publish_list

    run_sweep("clear_ended_publicity", at(2026, 10, 12, 1))
    published = publish_list(batch, title="2026年度名单", by=world.municipal)
    remove_from_list(
        type(first).objects.get(pk=first.pk), ground=RemovalGround.FALSIFIED_DATA, reason="造假", by=world.municipal
    )
    from registry import notices

    text = pdf_text(notices.list_announcement(PublishedList.objects.get(pk=published.pk)))
    assert world.org_a.name in text and world.org_b.name in text and "共2家" in text


def test_a_report_decision_needs_a_choice_and_reasons(world):
    report = reports.file_report(organisation=world.org_a, name="周举报", contact="1", content="x", evidence=evidence())
    for decision, note in [("", "理由"), (Report.Decision.UNFOUNDED, "  ")]:
        with pytest.raises(services.TransitionRefused):
            reports.decide_report(report, decision=decision, note=note, by=world.municipal)
    report.refresh_from_db()
    assert report.status == Report.Status.RECEIVED


def test_experts_and_agencies_do_not_see_annual_forms(client, world, assign):
    listed = make_dossier(world.org_a, State.LISTED, agency=world.agency)
    assign(listed, world.expert)
    report = annual.open_report(listed, 2027)
    for user in (world.expert, world.agency_user):
        client.force_login(user)
        assert client.get(reverse("annual_detail", args=[report.pk])).status_code == 404
    client.force_login(world.officer_nanshan)
    assert client.get(reverse("annual_detail", args=[report.pk])).status_code == 200


@pytest.mark.parametrize("name", ["匿名", " Anonymous ", ""])
def test_anonymous_names_are_refused_for_reports_too(world, name):
    with pytest.raises(services.TransitionRefused):
        reports.file_report(
            organisation=world.org_a, name=name, contact="13700000000", content="x", evidence=evidence()
        )
