"""Issue 10 in Debian's Chromium: an applicant completes the GB/T 36132-2025 factory template with evidence,
downloads the report PDF, uploads the signed scan and submits; the live score equals the server's; the
district officer and an assigned expert open the whole application and see the declarations and items.

Screenshots go to test-artifacts/screenshots/ (not committed): look at them.
"""

import pytest
import time_machine
from playwright.sync_api import expect

from accounts.models import Role, User
from applications import evaluations, services
from applications.models import Dossier, State
from reviews.models import ExpertAssignment
from tests.browser_steps import PLAN, fill_basic, fill_declarations, save_and_continue
from tests.confirming import confirm
from tests.conftest import at, take_step
from tests.factories import MINIMAL_PDF, OrganisationFactory, district

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Browser-Test-2027"


def new_page(browser):
    page = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True).new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def log_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("申报档案")
    return page


@pytest.fixture
def people(districts):
    organisation = OrganisationFactory(name="深圳市浏览器自评价制造有限公司", district=district("nanshan"))
    return {
        "organisation": organisation,
        "applicant": User.objects.create_user("zp_applicant", password=PASSWORD, role=Role.APPLICANT,
                                              organisation=organisation),
        "officer": User.objects.create_user("zp_officer", password=PASSWORD, role=Role.DISTRICT,
                                            district=district("nanshan")),
        "expert": User.objects.create_user("zp_expert", password=PASSWORD, role=Role.EXPERT),
    }  # fmt: skip


def test_applicant_completes_the_2025_template_and_reviewers_see_the_whole_application(
    live_server, browser, screens, people, tmp_path
):
    base = live_server.url
    evidence = tmp_path / "能源审计报告.pdf"
    evidence.write_bytes(MINIMAL_PDF)
    scan = tmp_path / "签字盖章扫描件.pdf"
    scan.write_bytes(MINIMAL_PDF)
    dossier = services.pool(people["organisation"], "factory", 2027, now=at(2027, 1, 15))
    with time_machine.travel(at(2027, 3, 10), tick=True):
        page = log_in(new_page(browser), base, "zp_applicant")
        page.goto(f"{base}/dossiers/{dossier.pk}/")
        page.click("[data-testid=edit-evaluation]")
        screens(page, "step-basic")
        fill_basic(page)
        screens(page, "step-eligibility")
        fill_declarations(page)
        # Items: the live score follows the answers as they are typed.
        template = evaluations.applicable_template(dossier)
        expect(page.locator("[data-testid=score-total]")).to_have_text("0.00")
        for item in template.ordered_items():
            row = page.locator(f"#item-{item.code}")
            if item.is_quantitative:
                value = item.baseline + (item.leading - item.baseline) / 2  # half way: 80 % of the points
                row.locator(f"input[name=value_{item.code}]").fill(f"{value:.4f}")
            else:
                row.locator(f"input[name=met_{item.code}][value={'no' if item.code == 'CL3' else 'yes'}]").check()
            if item.evidence_required:
                row.locator(f"input[name=evidence_{item.code}]").set_input_files(str(evidence))
        live_total = page.locator("[data-testid=score-total]").inner_text()
        screens(page, "step-items-filled")
        save_and_continue(page)
        page.click("[data-testid=steps] >> text=评价指标")
        server = evaluations.current_score(evaluations.evaluation_of(dossier), dossier)
        assert live_total == f"{server.total:.2f}" == page.locator("[data-testid=score-total]").inner_text()
        assert server.total < 100  # CL3 (optional) not met, figures half way
        numbers = {f.item.code: n for n, f in evaluations.evidence_index(evaluations.evaluation_of(dossier))}
        expect(page.locator("#item-EN1 [data-testid=evidence-list]")).to_contain_text(f"序号 {numbers['EN1']}")
        page.click("[data-testid=steps] >> text=问题与计划")
        page.fill("#id_problems_and_plan", PLAN)
        save_and_continue(page)
        with page.expect_download() as download:
            page.click("[data-testid=download-report]")
        assert download.value.path().read_bytes().startswith(b"%PDF-")
        expect(page.locator("[data-testid=checklist]")).to_contain_text("第十四条：请上传签字盖章后的自评价报告")
        page.set_input_files("input[name=report]", str(scan))
        page.check("input[name=pledge]")
        screens(page, "step-report")
        page.click("[data-testid=submit-evaluation]")
        confirm(page)
        expect(page.locator(".state-badge")).to_have_text("已提交评价报告")
        expect(page.locator("[data-testid=score-summary]")).to_contain_text(f"{server.total:.2f}")
        screens(page, "submitted")

        officer = log_in(new_page(browser), base, "zp_officer")
        officer.goto(f"{base}/dossiers/{dossier.pk}/")
        officer.click("[data-testid=application-link]")
        expect(officer.locator("body")).to_contain_text("信用中国、信用广东查询结果截图")  # the Art. 12 answers
        expect(officer.locator("body")).to_contain_text("单位产品综合能耗")
        expect(officer.locator("body")).to_contain_text(f"{server.total:.2f}")
        screens(officer, "application-view-district")

    dossier = Dossier.objects.get(pk=dossier.pk)
    for name, when in [("recommend", at(2027, 5, 20)), ("pass_conformity", at(2027, 6, 20)),
                       ("open_review", at(2027, 7, 10))]:  # fmt: skip
        dossier = take_step(dossier, name, when)
    assert dossier.state == State.IN_REVIEW
    ExpertAssignment.objects.create(dossier=dossier, expert=people["expert"])
    with time_machine.travel(at(2027, 7, 12), tick=True):
        expert = log_in(new_page(browser), base, "zp_expert")
        expert.goto(f"{base}/dossiers/{dossier.pk}/application/")
        expect(expert.locator("body")).to_contain_text("单位产品综合能耗")
        expect(expert.locator("body")).to_contain_text("营业执照、生产许可证")  # eligibility evidence
        screens(expert, "application-view-expert")
