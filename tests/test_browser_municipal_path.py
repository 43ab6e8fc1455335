"""Issue #5 in Debian's Chromium: conformity check to the published, ranked municipal list.

Screenshots of every page go to test-artifacts/screenshots/ (not committed): look at them.
"""

from decimal import Decimal

import pytest
import time_machine
from playwright.sync_api import expect

from accounts.models import Role, User
from applications.models import State
from greenfactory.sweeps import run_sweep
from reviews.models import Criterion, Objection, Round
from tests.confirming import confirm
from tests.conftest import at, make_dossier
from tests.factories import OrganisationFactory, declare_eligible, district
from workdays.services import add_working_days

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Browser-Test-2027"
NAMES = ["深圳市甲等绿色制造有限公司", "深圳市乙等精密电子有限公司", "深圳市丙等材料科技有限公司"]


def new_page(browser, viewport=(1280, 900)):
    page = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}).new_page()
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
    def user(name, role, **extra):
        return User.objects.create_user(name, password=PASSWORD, role=role, first_name=name, **extra)

    return {
        "city": user("city_reviewer", Role.MUNICIPAL),
        "expert_a": user("expert_a", Role.EXPERT),
        "expert_b": user("expert_b", Role.EXPERT),
    }


@pytest.fixture
def recommended():
    dossiers = []
    for name, code in zip(NAMES, ["nanshan", "futian", "baoan"], strict=True):
        org = OrganisationFactory(name=name, district=district(code))
        declare_eligible(org)
        dossiers.append(make_dossier(org, State.RECOMMENDED, year=2027))
    review_round = Round.objects.create(
        year=2027, kind="factory", select_count=2, objection_contact="节能处 0755-88100000"
    )
    Criterion.objects.create(round=review_round, name="能源低碳化", weight=Decimal(60), max_score=100, order=1)
    Criterion.objects.create(round=review_round, name="资源高效化", weight=Decimal(40), max_score=100, order=2)
    return dossiers


def conformity(page, base, name, *, fail_reason=None):
    page.goto(f"{base}/city/conformity/?cycle_year=2027")
    page.locator("[data-testid=conformity-table] tr", has_text=name).get_by_role("link", name="审核").click()
    for box in page.locator("input[type=checkbox][name^=item_]").all():
        box.check()
    if fail_reason:
        page.uncheck("input[name=item_report]")
        page.fill("textarea[name=reasons]", fail_reason)
    page.click("[data-testid=record-conformity]")
    confirm(page)


def score(page, base, name, first, second):
    page.goto(f"{base}/expert/")
    page.get_by_role("link", name=name).click()
    inputs = page.locator("input[type=number]")
    inputs.nth(0).fill(str(first))
    inputs.nth(1).fill(str(second))
    page.check("input[name=no_conflict]")  # final scores come with the declaration of no conflict (Art. 17)
    page.click("[data-testid=submit-final]")
    confirm(page)
    expect(page.locator("[data-testid=final-badge]")).to_be_visible()


def test_conformity_to_published_list(live_server, browser, screens, people, recommended):
    base = live_server.url
    with time_machine.travel(at(2027, 6, 15, 9), tick=True) as clock:
        city = log_in(new_page(browser), base, "city_reviewer")
        # 0. 2027's official holiday schedule is not loaded: staff load it (a plausible one) at the calendar page,
        # otherwise the 5-working-day publicity (Art. 17) would be refused.
        city.goto(f"{base}/calendar/")
        expect(city.locator("[data-testid=schedule-warning]")).to_contain_text("2027")
        city.fill("#id_year", "2027")
        city.fill("#id_source", "测试：假定的2027年安排")
        city.fill("#id_text", "2027-01-01 休 元旦")
        city.click("main form button.btn-primary")
        expect(city.locator(".alert-success")).to_contain_text("2027")
        # 1. Conformity: two pass, one fails with reasons.
        conformity(city, base, NAMES[0])
        conformity(city, base, NAMES[1])
        conformity(city, base, NAMES[2], fail_reason="评价报告未按GB/T 36132-2025编制")
        screens(city, "conformity-queue")
        city.goto(f"{base}/dossiers/{recommended[2].pk}/")
        expect(city.locator(".state-badge")).to_have_text("未通过")
        expect(city.locator("body")).to_contain_text("评价报告未按GB/T 36132-2025编制")
        # 2. Open the review and assign both experts to both dossiers.
        city.goto(f"{base}/city/review/?year=2027&kind=factory")
        for box in city.locator("input[name=dossiers]").all():
            box.check()
        city.click("[data-testid=open-review]")
        confirm(city)
        # The board reloads with the opened dossiers; wait for it before ticking them (a loaded machine is slow).
        expect(city.locator(".alert-success")).to_be_visible()
        for box in city.locator("input[name=dossiers]").all():
            box.check()
        city.check(f"input[name=experts][value='{people['expert_a'].pk}']")
        city.check(f"input[name=experts][value='{people['expert_b'].pk}']")
        city.click("[data-testid=assign-experts]")
        expect(city.locator(".alert-success")).to_contain_text("已分配4项评审任务")
        screens(city, "review-board")
        # 3. Two experts score.
        expert_a = log_in(new_page(browser), base, "expert_a")
        score(expert_a, base, NAMES[0], 90, 80)  # 86
        score(expert_a, base, NAMES[1], 70, 60)  # 66
        screens(expert_a, "expert-score")
        expert_b = log_in(new_page(browser), base, "expert_b")
        score(expert_b, base, NAMES[0], 80, 90)  # 84
        score(expert_b, base, NAMES[1], 80, 70)  # 76
        # 4. The ranking shows the aggregates; staff create the publicity.
        city.goto(f"{base}/city/ranking/?year=2027&kind=factory")
        aggregates = city.locator("[data-testid=aggregate]")
        expect(aggregates).to_have_text(["85.00", "71.00"])
        screens(city, "ranking")
        city.fill("#id_starts_on", "2027-06-15")
        city.click("[data-testid=create-publicity]")
        confirm(city)
        last_day = add_working_days(at(2027, 6, 15).date(), 5)
        expect(city.locator("[data-testid=ends-on]")).to_have_text(last_day.isoformat())
        batch_url = city.url
        screens(city, "publicity-batch")
        # 5. The public page, without login; anonymous objection refused, real-name accepted.
        public = new_page(browser)
        public.goto(f"{base}/public/publicity/")
        public.get_by_role("link", name="2027年度深圳市市级绿色工厂拟认定名单").click()
        expect(public.locator("[data-testid=public-entries]")).to_contain_text(NAMES[0])
        screens(public, "public-publicity")
        public.check("input[name=objector_kind][value=person]")
        public.fill("#id_content", "该企业能耗数据与实际不符")
        public.click("[data-testid=submit-objection]")
        expect(public.locator("form").last).to_contain_text("不受理匿名异议")
        screens(public, "anonymous-objection-refused")
        public.check("input[name=objector_kind][value=person]")
        public.fill("#id_name", "王实名")
        public.fill("#id_phone", "13912345678")
        public.fill("#id_content", "该企业能耗数据与实际不符")
        public.click("[data-testid=submit-objection]")
        expect(public.locator(".alert-success")).to_contain_text("您的异议已受理")
        assert Objection.objects.get().objector_name == "王实名"
        # 6. Staff dismiss it.
        city.goto(batch_url)
        objection = city.locator("[data-testid=objection]")
        expect(objection).to_contain_text("王实名")
        objection.locator("textarea").fill("经核实，能耗数据与能源审计报告一致，异议不成立")
        objection.locator("[data-testid=dismiss]").click()
        confirm(city)
        expect(city.locator(".alert-success")).to_contain_text("异议已处理")
        # 7. After the period the deadline job clears the batch, and the list is published.
        clock.move_to(at(last_day.year, last_day.month, last_day.day + 1, 0, 30))
        assert len(run_sweep("clear_ended_publicity", at(last_day.year, last_day.month, last_day.day + 1, 0, 30))) == 2
        city.goto(batch_url)
        city.click("[data-testid=publish]")
        confirm(city)
        expect(city.locator(".alert-success").first).to_contain_text("已公布")
        screens(city, "published")
        # 8. The public list page shows the ranked units.
        public.goto(f"{base}/public/lists/?year=2027")
        rows = public.locator("[data-testid=public-list] tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.nth(0)).to_contain_text("1")
        expect(rows.nth(0)).to_contain_text(NAMES[0])
        expect(rows.nth(1)).to_contain_text(NAMES[1])
        screens(public, "public-lists")
    ranks = {d.organisation.name: (d.state, d.rank) for d in (type(recommended[0]).objects.filter(cycle_year=2027))}
    assert ranks == {NAMES[0]: (State.LISTED, 1), NAMES[1]: (State.LISTED, 2), NAMES[2]: (State.NOT_PASSED, None)}
