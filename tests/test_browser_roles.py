"""Issue 15 in Debian's Chromium: the main job of the agency, the expert and the municipal staff, end to end, at
1366×768 and at 390×844 (the other roles have their own browser tests: test_browser_self_evaluation.py,
test_browser_district_path.py, test_browser_municipal_path.py, test_browser_citizen.py).

Screenshots of every page go to test-artifacts/screenshots/ (not committed): look at them.
"""

import datetime
from decimal import Decimal

import pytest
import time_machine
from playwright.sync_api import expect

from accounts.models import Role, User
from applications import services
from applications.models import State
from reviews.models import Criterion, ExpertAssignment, Review, Round
from tests.confirming import confirm
from tests.conftest import at, make_dossier
from tests.factories import MINIMAL_PDF, AgencyFactory, OrganisationFactory, declare_eligible, district

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Browser-Test-2027"
SIZES = [pytest.param((1366, 768), id="1366x768"), pytest.param((390, 844), id="390x844")]


def unit(name, where="nanshan"):
    organisation = OrganisationFactory(name=name, district=district(where))
    declare_eligible(organisation)
    return organisation


def person(username, role, **extra):
    return User.objects.create_user(username, password=PASSWORD, role=role, first_name=username, **extra)


def sign_in(browser, base, username, size):
    page = browser.new_context(viewport={"width": size[0], "height": size[1]}).new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def no_sideways_scroll(page, size):
    """Nothing sticks out at the side: wide tables scroll inside their own region."""
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0]


@pytest.mark.parametrize("size", SIZES)
def test_the_agency_uploads_a_corrected_report(live_server, browser, screens, districts, tmp_path, size):
    base = live_server.url
    report = tmp_path / "评价报告-修订版.pdf"
    report.write_bytes(MINIMAL_PDF)
    agency = AgencyFactory(name="深圳市丙评价技术有限公司")
    person("agency_staff", Role.AGENCY, agency=agency)
    officer = person("ns_officer", Role.DISTRICT, district=district("nanshan"))
    with time_machine.travel(at(2027, 3, 10), tick=True):
        make_dossier(unit("深圳市待评一号有限公司"), year=2027, agency=agency)
        submitted = make_dossier(unit("深圳市退回二号有限公司"), State.SUBMITTED, year=2027, agency=agency)
        returned = services.transition(submitted, "return_for_revision", by=officer, reason="请补充近一年能源审计报告")
        make_dossier(unit("深圳市自评三号有限公司"), year=2027)  # not the agency's client
        page = sign_in(browser, base, "agency_staff", size)
        # 1. Its home lists the dossiers awaiting its report, the nearest deadline (30 May, Art. 15) beside each.
        panel = page.locator("[data-testid=awaiting-reports]")
        expect(panel.locator("h2")).to_contain_text("待上传评价报告")
        expect(panel.locator("[data-testid=awaiting-count]")).to_have_text("2")
        rows = panel.locator("[data-testid=awaiting-row]")
        expect(rows).to_have_count(2)
        expect(rows.nth(1)).to_contain_text("深圳市退回二号有限公司")
        expect(rows.nth(1)).to_contain_text("2027-05-30")
        screens(page, "agency-home")
        no_sideways_scroll(page, size)
        # 2. It opens the returned one and reads why it came back.
        rows.nth(1).get_by_role("link", name="深圳市退回二号有限公司").click()
        expect(page.locator("h1")).to_contain_text("深圳市退回二号有限公司")
        expect(page.locator("[data-testid=return-reason]")).to_contain_text("请补充近一年能源审计报告")
        screens(page, "agency-dossier-returned")
        # 3. It uploads the corrected report with the pledge; without the pledge the form says what is missing.
        page.get_by_role("link", name="上传评价报告", exact=True).click()
        expect(page.locator("h1")).to_contain_text("深圳市退回二号有限公司")
        page.set_input_files("input[name=report]", str(report))
        page.click("main form button.btn-primary")
        expect(page.locator("main form")).to_contain_text("请勾选真实性承诺")
        screens(page, "agency-upload-pledge-missing")
        page.set_input_files("input[name=report]", str(report))
        page.check("input[name=attested]")
        screens(page, "agency-upload-form")
        page.click("main form button.btn-primary")
        # 4. The dossier says what follows, and the upload is in the 办理记录.
        expect(page.locator(".alert-success").first).to_be_visible()
        expect(page.locator("[data-testid=next-step]")).to_contain_text("报告已上传")
        expect(page.locator("[data-testid=next-step]")).to_contain_text("2027-05-30")
        expect(page.locator("[data-testid=report-link]")).to_be_visible()
        expect(page.locator("[data-testid=timeline-report]")).to_contain_text("上传评价报告（第1版）")
        screens(page, "agency-dossier-uploaded")
        no_sideways_scroll(page, size)
        # 5. Back home, the dossier has left the list.
        page.goto(f"{base}/workspace/")
        expect(page.locator("[data-testid=awaiting-row]")).to_have_count(1)
        expect(page.locator("[data-testid=awaiting-reports]")).not_to_contain_text("深圳市退回二号有限公司")
        screens(page, "agency-home-after")
    returned.refresh_from_db()
    assert returned.state == State.RETURNED and returned.report_attested and returned.report_uploaded_at


@pytest.mark.parametrize("size", SIZES)
def test_the_expert_scores_a_dossier(live_server, browser, screens, districts, size):
    base = live_server.url
    expert = person("expert_zhang", Role.EXPERT)
    with time_machine.travel(at(2027, 7, 15), tick=True):
        dossier = make_dossier(unit("深圳市评审一号有限公司"), State.IN_REVIEW, year=2027)
        other = make_dossier(unit("深圳市评审二号有限公司", "futian"), State.IN_REVIEW, year=2027)
        review_round = Round.objects.create(
            year=2027,
            kind="factory",
            select_count=2,
            objection_contact="节能处 0755-88100000",
            scoring_deadline=datetime.date(2027, 7, 30),
        )
        Criterion.objects.create(
            round=review_round,
            name="能源低碳化",
            weight=Decimal(60),
            max_score=100,
            order=1,
            description="单位产品综合能耗、可再生能源使用比例",
        )
        Criterion.objects.create(
            round=review_round,
            name="资源高效化",
            weight=Decimal(40),
            max_score=100,
            order=2,
            description="工业固废综合利用率",
        )
        assignment = ExpertAssignment.objects.create(dossier=dossier, expert=expert)
        ExpertAssignment.objects.create(dossier=other, expert=expert)
        page = sign_in(browser, base, "expert_zhang", size)
        # 1. Its review list: two dossiers to score, with the deadline.
        page.goto(f"{base}/expert/")
        expect(page.locator("h1")).to_contain_text("我的评审")
        expect(page.locator("[data-testid=pending-count]")).to_have_text("2")
        expect(page.locator("[data-testid=pending-assignment]").first).to_contain_text("2027-07-30")
        screens(page, "expert-list")
        no_sideways_scroll(page, size)
        # 2. It opens one, scores one criterion and saves a draft (a draft may leave criteria empty).
        page.get_by_role("link", name="深圳市评审一号有限公司").click()
        expect(page.locator("h1")).to_contain_text("深圳市评审一号有限公司")
        expect(page.locator("[data-testid=scoring-deadline]")).to_contain_text("2027-07-30")
        expect(page.locator("[data-testid=criterion-row]")).to_have_count(2)
        scores = page.locator("[data-testid=criterion-row] input[type=number]")
        scores.nth(0).fill("90")
        page.fill("textarea[name=comment]", "能源管理体系完善，光伏装机比例较高。")
        screens(page, "expert-score-form")
        page.click("[data-testid=save-draft]")
        expect(page.locator("[data-testid=draft-badge]")).to_be_visible()
        expect(page.locator("[data-testid=criterion-row] input[type=number]").nth(0)).to_have_value("90")
        # 3. Final scores need every criterion and the declaration of no conflict of interest (Art. 17): it fills
        #    the second, ticks the declaration beside the button and submits, confirming in the dialog.
        page.locator("[data-testid=criterion-row] input[type=number]").nth(1).fill("80")
        page.check("input[name=no_conflict]")
        screens(page, "expert-score-declared")
        page.click("[data-testid=submit-final]")
        confirm(page)
        expect(page.locator("[data-testid=final-badge]")).to_be_visible()
        expect(page.locator("[data-testid=my-total]")).to_have_text("86.00")  # 90×60% + 80×40%
        screens(page, "expert-final")
        no_sideways_scroll(page, size)
        # 4. The list shows it done, the other one still to score.
        page.goto(f"{base}/expert/")
        expect(page.locator("[data-testid=pending-count]")).to_have_text("1")
        expect(page.locator("[data-testid=done-assignment]")).to_contain_text("深圳市评审一号有限公司")
        expect(page.locator("[data-testid=done-assignment]")).to_contain_text("86.00")
        screens(page, "expert-list-after")
    review = Review.objects.get(assignment=assignment)
    assert review.is_final and review.total == Decimal("86.00")


@pytest.mark.parametrize("size", SIZES)
def test_the_municipal_staff_prints_the_notices_and_reads_the_dashboard(live_server, browser, screens, districts, size):
    base = live_server.url
    person("city_staff", Role.STAFF)
    with time_machine.travel(at(2026, 9, 15), tick=True):  # 2027's holiday schedule is not loaded in tests
        listed = make_dossier(unit("深圳市名单一号有限公司"), State.LISTED, year=2026)
        make_dossier(unit("深圳市在审二号有限公司", "futian"), State.IN_REVIEW, year=2026)
        batch = listed.publicity_entry.batch
        page = sign_in(browser, base, "city_staff", size)
        screens(page, "staff-home")
        # 1. The publicity batches, then the year's batch with its published list.
        page.goto(f"{base}/city/publicity/")
        expect(page.locator("main")).to_contain_text(batch.title)
        screens(page, "staff-publicity-batches")
        page.get_by_role("link", name=batch.title).click()
        expect(page.locator("h1")).to_have_text(batch.title)
        expect(page.locator("[data-testid=publicity-entries]")).to_contain_text("深圳市名单一号有限公司")
        screens(page, "staff-publicity-batch")
        no_sideways_scroll(page, size)
        # 2. The notice to print: the link serves a PDF (fetched with the page's session).
        for link in (page.locator("[data-testid=notice-pdf]"), page.get_by_role("link", name="名单公告（PDF）")):
            expect(link).to_be_visible()
            response = page.request.get(base + link.get_attribute("href"))
            assert response.status == 200
            assert response.headers["content-type"] == "application/pdf"
            assert response.body().startswith(b"%PDF")
        # 3. The dashboard: charts, nothing clipped at the side.
        page.goto(f"{base}/dashboard/")
        expect(page.locator("h1")).to_contain_text("统计看板")
        assert page.locator("svg.gf-chart[role=img]").count() >= 3
        screens(page, "staff-dashboard")
        no_sideways_scroll(page, size)
