"""Issue #6 in Debian's Chromium: a listed unit declares a name change in its annual form; the district
verifies and proposes it; the city approves; the organisation's name changes and its history keeps the old one.
"""

import pytest
import time_machine
from playwright.sync_api import expect

from accounts.models import Role, User
from applications.models import Indicator, IndicatorSet, State
from tests.confirming import confirm
from tests.conftest import at, make_dossier
from tests.factories import OrganisationFactory, declare_eligible, district

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Browser-Test-2027"
OLD_NAME = "深圳市旧名绿色制造有限公司"
NEW_NAME = "深圳市新名绿色智造股份有限公司"


def new_page(browser):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
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
def listed_unit(districts):
    org = OrganisationFactory(name=OLD_NAME, district=district("nanshan"))
    declare_eligible(org)
    dossier = make_dossier(org, State.LISTED, year=2026)
    User.objects.create_user("unit", password=PASSWORD, role=Role.APPLICANT, organisation=org, first_name="联络员")
    User.objects.create_user(
        "ns", password=PASSWORD, role=Role.DISTRICT, district=district("nanshan"), first_name="南山办"
    )
    User.objects.create_user("city", password=PASSWORD, role=Role.MUNICIPAL, first_name="市局")
    indicator_set = IndicatorSet.objects.create(year=2027)
    Indicator.objects.create(
        indicator_set=indicator_set, code="energy", name="单位产品综合能耗", unit="tce/万件", order=1
    )
    Indicator.objects.create(indicator_set=indicator_set, code="water", name="单位产品取水量", unit="m³/万件", order=2)
    return dossier


def test_annual_form_name_change_to_organisation_history(live_server, browser, screens, listed_unit):
    base = live_server.url
    with time_machine.travel(at(2027, 3, 5, 10), tick=True):
        unit = log_in(new_page(browser), base, "unit")
        unit.goto(f"{base}/dossiers/{listed_unit.pk}/")
        unit.click("[data-testid=annual-form]")
        unit.fill("input[name=i_energy]", "0.82")
        unit.fill("input[name=i_water]", "3.5")
        unit.fill("input[name=change_name]", NEW_NAME)
        unit.fill("input[name=change_name_why]", "完成股份制改造，已办理工商变更登记")
        for radio in unit.locator("input[type=radio][value=no]").all():
            radio.check()
        screens(unit, "annual-form")
        unit.click("[data-testid=submit-annual]")
        confirm(unit)
        expect(unit.locator("[data-testid=annual-status]")).to_have_text("已提交")
        report_url = unit.url

        officer = log_in(new_page(browser), base, "ns")
        officer.goto(report_url)
        officer.click("[data-testid=accept-annual]")
        expect(officer.locator("[data-testid=annual-status]")).to_have_text("已同意")
        change = officer.locator("[data-testid=change]")
        change.locator("input[name=note]").fill("已核实营业执照变更")
        change.locator("[data-testid=propose-change]").click()
        expect(officer.locator("[data-testid=change]")).to_contain_text("区级已核实并提出意见")
        screens(officer, "district-proposes")

        city = log_in(new_page(browser), base, "city")
        city.goto(f"{base}/city/changes/")
        proposed = city.locator("[data-testid=proposed-change]")
        expect(proposed).to_contain_text(NEW_NAME)
        screens(city, "city-changes")
        proposed.locator("[data-testid=approve-change]").click()
        confirm(city)
        expect(city.locator(".alert-success")).to_contain_text("变更已处理")

        city.goto(f"{base}/organisations/{listed_unit.organisation_id}/")
        expect(city.locator("h1")).to_have_text(NEW_NAME)
        history = city.locator("[data-testid=organisation-history]")
        expect(history).to_contain_text(OLD_NAME)
        expect(history).to_contain_text(NEW_NAME)
        expect(history).to_contain_text("第二十条变更")
        screens(city, "organisation-history")
    listed_unit.organisation.refresh_from_db()
    assert listed_unit.organisation.name == NEW_NAME
    assert listed_unit.organisation.history.earliest().name == OLD_NAME
