"""Issue #3 in Debian's Chromium: a new enterprise's whole path to the district's recommendation.

Screenshots of every page go to test-artifacts/screenshots/ (not committed): look at them.
"""

import re

import pytest
import time_machine
from playwright.sync_api import expect

from accounts.models import Role, User
from applications.credit_code import example_code
from applications.models import Dossier, State
from tests.browser_steps import complete_self_evaluation, save_and_continue
from tests.confirming import confirm
from tests.conftest import at
from tests.factories import MINIMAL_PDF, district

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Browser-Test-2027"
CODE = example_code(777)


@pytest.fixture
def officer(districts):
    user = User.objects.create_user(
        "ns_officer", password=PASSWORD, role=Role.DISTRICT, district=district("nanshan"), first_name="南山办"
    )
    return user


def new_page(browser):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # "are you sure?" confirmations: the person clicks OK
    return page


def log_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("申报档案")
    return page


def test_enterprise_to_district_recommendation(live_server, browser, screens, officer, tmp_path):
    base = live_server.url
    pdf = tmp_path / "自评价报告.pdf"
    pdf.write_bytes(MINIMAL_PDF)
    with time_machine.travel(at(2027, 3, 10), tick=True):
        enterprise = new_page(browser)
        # 1. The enterprise signs up.
        enterprise.goto(f"{base}/accounts/signup/")
        screens(enterprise, "signup")
        enterprise.fill("#id_credit_code", CODE[:9] + " " + CODE[9:].lower())
        enterprise.select_option("#id_district", label="南山区")
        enterprise.fill("#id_organisation_name", "深圳市浏览器测试制造有限公司")
        enterprise.fill("#id_full_name", "李四")
        enterprise.fill("#id_phone", "13800138000")
        enterprise.fill("#id_email", "lisi@example.com")
        enterprise.fill("#id_username", "lisi")
        enterprise.fill("#id_password1", PASSWORD)
        enterprise.fill("#id_password2", PASSWORD)
        enterprise.click("button[type=submit]")
        # 2. It asks to join the district's cultivation pool.
        expect(enterprise.locator("h1")).to_contain_text("申请加入培育库")
        screens(enterprise, "pool-request")
        enterprise.select_option("#id_kind", "factory")
        enterprise.select_option("#id_cycle_year", "2027")
        enterprise.fill("#id_note", "我司拟申报2027年度绿色工厂")
        enterprise.click("[data-testid=send-pool-request]")
        expect(enterprise.locator(".alert-success")).to_contain_text("南山区工业和信息化局")

        # 3. The district officer accepts the request.
        district_page = log_in(new_page(browser), base, "ns_officer")
        district_page.click("nav >> text=培育库")
        expect(district_page.locator("[data-testid=pool-request]")).to_contain_text("深圳市浏览器测试制造有限公司")
        screens(district_page, "district-pool-request")
        district_page.click("[data-testid=pool-request] >> text=同意")
        expect(district_page.locator(".alert-success")).to_contain_text("已答复")

        # 4. The enterprise fills in the self-evaluation, uploads the PDF and submits.
        enterprise.goto(f"{base}/workspace/")
        enterprise.click('[data-testid=dossier-table] a:has-text("深圳市浏览器测试制造有限公司")')
        expect(enterprise.locator("[data-testid=next-step]")).to_contain_text("填写自评价")
        expect(enterprise.locator("[data-testid=next-deadline]")).to_contain_text("2027-05-30")
        screens(enterprise, "dossier-pooled")
        complete_self_evaluation(enterprise, pdf, pdf, screens=screens)
        expect(enterprise.locator(".state-badge")).to_have_text("已提交评价报告")
        expect(enterprise.locator("[data-testid=report-link]")).to_be_visible()
        screens(enterprise, "dossier-submitted")

        # 5. The officer returns it with a reason.
        district_page.click("nav >> text=审核队列")
        district_page.click("[data-testid=queue-table] >> text=深圳市浏览器测试制造有限公司")
        screens(district_page, "district-dossier")
        action = district_page.locator("[data-testid=action-return_for_revision]")
        action.locator("textarea").fill("请补充近一年能源审计报告")
        action.locator("button").click()
        confirm(district_page)
        expect(district_page.locator(".state-badge")).to_have_text("退回修改")

        # 6. The enterprise sees the reason and resubmits.
        enterprise.reload()
        expect(enterprise.locator("[data-testid=return-reason]")).to_contain_text("请补充近一年能源审计报告")
        screens(enterprise, "dossier-returned")
        enterprise.click("[data-testid=edit-evaluation]")
        enterprise.click("[data-testid=steps] >> text=评价指标")
        expect(enterprise.locator("input[name=value_EN1]")).to_have_value(re.compile(r"^0\.044"))
        enterprise.fill("input[name=value_EN1]", "0.0400")
        save_and_continue(enterprise)
        enterprise.click("[data-testid=steps] >> text=报告、承诺与提交")
        enterprise.click("[data-testid=submit-evaluation]")
        confirm(enterprise)
        expect(enterprise.locator(".state-badge")).to_have_text("已提交评价报告")

        # 7. The officer checks it and recommends it in the year's batch.
        district_page.reload()
        district_page.click("[data-testid=mark-ready]")
        district_page.click("nav >> text=推荐报送")
        expect(district_page.locator("[data-testid=batch-counts]")).to_contain_text("绿色工厂: 1")
        expect(district_page.locator("#countdown")).to_contain_text("天")
        screens(district_page, "batch")
        district_page.click("[data-testid=submit-batch]")
        confirm(district_page)
        expect(district_page.locator(".alert-success")).to_contain_text("已向市局推荐1份档案")
        screens(district_page, "batch-sent")

        # 8. The dossier shows `recommended` with the right timeline.
        enterprise.reload()
        expect(enterprise.locator(".state-badge")).to_have_text("区级推荐")
        timeline = enterprise.locator("[data-testid=timeline] li[data-transition]")
        expect(timeline).to_have_count(5)
        steps = [timeline.nth(i).get_attribute("data-transition") for i in range(5)]
        assert steps == ["create", "submit", "return_for_revision", "submit", "recommend"]
        expect(timeline.nth(2)).to_contain_text("请补充近一年能源审计报告")
        screens(enterprise, "dossier-recommended")
    dossier = Dossier.objects.get(organisation__credit_code=CODE)
    assert dossier.state == State.RECOMMENDED
    assert dossier.transitions.get(transition="recommend").actor == officer


def test_recommendation_after_30_may_is_refused_in_the_browser(live_server, browser, screens, officer):
    from applications import services
    from tests.conftest import checked
    from tests.factories import OrganisationFactory, attach_pdf, declare_eligible

    org = OrganisationFactory(name="深圳市截止日测试有限公司", district=district("nanshan"))
    declare_eligible(org)
    with time_machine.travel(at(2027, 5, 30, 23, 50), tick=True) as clock:
        dossier = attach_pdf(services.pool(org, "factory", 2027))
        checked(services.transition(dossier, "submit"))
        page = log_in(new_page(browser), live_server.url, "ns_officer")
        page.on("dialog", lambda dialog: dialog.accept())  # 将1家单位推荐至市局？
        page.goto(f"{live_server.url}/district/recommendation/?year=2027")
        page.check("input[name=dossiers]")
        screens(page, "batch-before-midnight")
        # The officer hesitates past midnight, then clicks.
        clock.move_to(at(2027, 5, 31, 0, 1))
        page.click("[data-testid=submit-batch]")
        confirm(page)
        expect(page.locator(".alert-danger").first).to_contain_text("第十五条：区级推荐截止日期为5月30日（2027-05-30）")
        expect(page.locator("[data-testid=submit-batch]")).to_be_disabled()
        screens(page, "batch-refused-after-midnight")
    dossier.refresh_from_db()
    assert dossier.state == State.SUBMITTED
