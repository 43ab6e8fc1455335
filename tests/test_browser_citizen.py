"""Issue #11 in Debian's Chromium: a citizen, without an account, finds a unit on the published list, opens
the running publicity notice, files a real-name objection (第十七条), keeps the receipt number and access
code, and later follows the objection to its outcome on /track/.
"""

import re

import pytest
import time_machine
from django.core import mail
from playwright.sync_api import expect

from accounts.models import Role, User
from applications.models import State
from reviews import objections
from reviews.models import Objection
from tests.conftest import at, make_dossier
from tests.factories import OrganisationFactory, declare_eligible, district

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LISTED = "深圳市名录精密制造有限公司"
IN_PUBLICITY = "深圳市公示绿色电子有限公司"
DECISION = "经核实，该企业能耗数据与第三方审计报告一致，异议不成立。"


@pytest.fixture
def units(districts):
    for name, code in ((LISTED, "baoan"), ("深圳市另一家绿色工厂有限公司", "futian")):
        listed = OrganisationFactory(name=name, district=district(code))
        declare_eligible(listed)
        make_dossier(listed, State.LISTED, year=2025)
    publicised = OrganisationFactory(name=IN_PUBLICITY, district=district("nanshan"))
    declare_eligible(publicised)
    return make_dossier(publicised, State.IN_PUBLICITY, year=2026)


def new_page(browser):
    return browser.new_context(viewport={"width": 1280, "height": 900}).new_page()


def test_citizen_files_an_objection_and_follows_it_with_the_receipt(live_server, browser, screens, units):
    base = live_server.url
    with time_machine.travel(at(2026, 9, 1, 10), tick=True):
        citizen = new_page(browser)
        citizen.goto(f"{base}/")  # the public home page: no login
        citizen.fill("input[name=q]", "名录精密")
        citizen.click("[data-testid=search-lists]")
        listed = citizen.locator("[data-testid=public-list] tbody tr")
        expect(listed).to_have_count(1)
        expect(listed).to_contain_text(LISTED)
        screens(citizen, "home-list-search")

        citizen.locator("[data-testid=publicity-board]").get_by_role("link", name="2026年度公示").click()
        expect(citizen.locator("[data-testid=public-entries]")).to_contain_text(IN_PUBLICITY)
        citizen.select_option("#entry", label=f"1. {IN_PUBLICITY}")
        citizen.check("input[name=objector_kind][value=person]")
        citizen.fill("#id_name", "王市民")
        citizen.fill("#id_phone", "13912345678")
        citizen.fill("#id_content", "该企业公示的单位产品能耗与其环评报告披露的数据明显不符。")
        citizen.fill("#id_email", "wang@example.com")
        screens(citizen, "objection-form")
        citizen.click("[data-testid=submit-objection]")

        expect(citizen.locator("[data-testid=receipt-number]")).to_have_text(re.compile(r"YY-2026-\d{6}"))
        number = citizen.locator("[data-testid=receipt-number]").inner_text().strip()
        code = citizen.locator("[data-testid=access-code]").inner_text().strip()
        expect(citizen.locator("[data-testid=print-receipt]")).to_be_visible()
        screens(citizen, "receipt")
        assert [m.body for m in mail.outbox if m.to == ["wang@example.com"] and code in m.body and number in m.body]

        citizen.reload()
        expect(citizen.locator("[data-testid=access-code]")).to_have_count(0)  # shown once only

    with time_machine.travel(at(2026, 9, 2, 15), tick=True):
        later = new_page(browser)
        later.goto(f"{base}/")
        later.click("a[href='/track/']")
        later.fill("#id_number", number.lower())
        later.fill("#id_code", code.replace("-", ""))
        later.click("[data-testid=track]")
        expect(later.locator("[data-testid=tracked-status]")).to_have_text("待处理")
        screens(later, "tracked-pending")

        later.fill("#id_number", number)
        later.fill("#id_code", "AAAA-BBBB")
        later.click("[data-testid=track]")
        expect(later.locator("[data-testid=tracked]")).to_have_count(0)
        expect(later.locator(".alert-danger")).to_be_visible()

    with time_machine.travel(at(2026, 9, 3, 11), tick=True):
        city = User.objects.create_user("city-decider", role=Role.MUNICIPAL)
        objections.decide_objection(Objection.objects.get(receipt_number=number), uphold=False, note=DECISION, by=city)

    with time_machine.travel(at(2026, 9, 4, 9), tick=True):
        later.goto(f"{base}/track/")
        later.fill("#id_number", number)
        later.fill("#id_code", code)
        later.click("[data-testid=track]")
        expect(later.locator("[data-testid=tracked-status]")).to_have_text("不成立")
        expect(later.locator("[data-testid=tracked-outcome]")).to_have_text("不成立")
        expect(later.locator("[data-testid=tracked-note]")).to_have_text(DECISION)
        screens(later, "tracked-decided")
