"""Issue 15 in Debian's Chromium: the dashboard's charts at 1366 and 390 px, for the city and a district officer.

The page never scrolls sideways (the SVG scales with its viewBox, the tables scroll inside their region), every
chart is drawn, and a table wider than the phone is reached with Tab and scrolled with the arrow keys.
"""

import pytest
from playwright.sync_api import expect

from applications.models import Kind, Level, State
from tests.test_list_pages_scale import dossiers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-for-tests-1"  # tests.factories.UserFactory


def sign_in(browser, base, username, width, height):
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{base}/dashboard/")
    return page


@pytest.mark.parametrize("who", ["municipal", "officer_nanshan"])
def test_the_dashboard_charts_at_both_sizes(live_server, browser, screens, world, who):
    dossiers(6, State.LISTED, level=Level.MUNICIPAL)
    dossiers(3, State.IN_REVIEW, where="futian")
    dossiers(2, State.RECHECKING, kind=Kind.PARK, level=Level.NATIONAL, year=2024)
    user = getattr(world, who)
    for width, height in ((1366, 768), (390, 844)):
        page = sign_in(browser, live_server.url, user.username, width, height)
        expect(page.locator("h1")).to_contain_text("统计看板")
        charts = page.locator("svg.gf-chart[role=img]")
        assert charts.count() >= 4
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing clipped at the side
        for box in charts.evaluate_all("els => els.map(e => e.getBoundingClientRect().width)"):
            assert 0 < box <= width
        screens(page, f"{who}-{width}")
        if width == 390 and who == "municipal":
            region = page.locator('[data-testid="chart-districts"] .gf-scroll')
            assert region.evaluate("e => e.scrollWidth > e.clientWidth")
            for _press in range(80):
                page.keyboard.press("Tab")
                if region.evaluate("e => e === document.activeElement"):
                    break
            else:
                pytest.fail("the table's scroll region is not reached with Tab")
            page.keyboard.press("ArrowRight")
            page.keyboard.press("ArrowRight")
            page.wait_for_function(
                "() => document.querySelector('[data-testid=chart-districts] .gf-scroll').scrollLeft > 0"
            )
        page.context.close()
