"""Issue 15, phones: the long lists (class ``table-cards``) become stacked cards at 390 px and stay tables at 1366 px.

At 390×844 the page does not scroll sideways, every cell of every row lies inside the viewport without scrolling the
table's frame, and each labelled cell shows its column's header through ``::before``. At 1366×768 the header row is
visible and rows are table rows. Screenshots go to test-artifacts/screenshots/<test>/: look at them.
"""

import pytest
import time_machine
from playwright.sync_api import expect

from accounts.models import Role
from applications.models import Kind, RemovalGround, State
from registry.services import remove_from_list
from tests.conftest import at, make_dossier
from tests.factories import district
from tests.test_browser_roles import person, sign_in, unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE, LAPTOP = (390, 844), (1366, 768)
SIZES = [pytest.param(LAPTOP, id="1366x768"), pytest.param(PHONE, id="390x844")]

# Per table, for every body row: its state, display, box and the ::before content of each cell shown.
ROWS = """table => [...table.tBodies[0].rows].map(row => ({
    display: getComputedStyle(row).display,
    cells: [...row.cells].filter(cell => getComputedStyle(cell).display !== 'none').map(cell => {
        const box = cell.getBoundingClientRect();
        return {
            label: cell.dataset.label ?? null,
            before: getComputedStyle(cell, '::before').content,
            left: box.left, right: box.right, width: box.width, text: cell.innerText.trim(),
            state: !!cell.querySelector('[data-state]'),
        };
    }),
}))"""


# The accessible name of the table's frame: its aria-labelledby element's text, else its aria-label.
NAME = """t => {
    const frame = t.closest('[role=region]'), id = frame.getAttribute('aria-labelledby');
    return id ? document.getElementById(id).innerText.trim() : (frame.getAttribute('aria-label') || '');
}"""


def check_list(page, size, testid, *, names):
    """The table at ``testid`` lists ``names``; at a phone's width as cards, at a laptop's as a table."""
    table = page.locator(f"[data-testid={testid}]")
    expect(table).to_be_visible()
    for name in names:
        expect(table).to_contain_text(name)
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0], "the page scrolls sideways"
    # The frame is named by what it holds (not "scrolls sideways": on a phone it does not scroll).
    name = table.evaluate(NAME)
    assert len(name) >= 2 and "滚动" not in name, name
    rows = table.evaluate(ROWS)
    assert len(rows) >= len(names)
    header = table.locator("thead")
    if size == LAPTOP:
        expect(header).to_be_visible()
        assert header.evaluate("el => el.getBoundingClientRect().height") > 20
        assert {row["display"] for row in rows} == {"table-row"}
        return rows
    # A phone: the header row is still there for screen readers, only clipped to 1 px.
    assert header.count() == 1
    assert header.evaluate("el => getComputedStyle(el).display") != "none"
    assert header.evaluate("el => el.getBoundingClientRect().width") <= 1
    assert {row["display"] for row in rows} == {"flex"}
    for row in rows:
        for cell in row["cells"]:
            # Inside the screen without scrolling anything, and wide enough to hold words (not a letter a line).
            assert cell["left"] >= 0 and cell["right"] <= size[0], cell
            assert cell["width"] >= 300, cell
            if cell["label"]:
                shown = cell["before"]
                # Chromium reports the alt text too: '"状态" / ""'.
                assert shown.startswith(f'"{cell["label"]}"') or shown == "none", cell
        labelled = [cell for cell in row["cells"] if cell["label"] and cell["before"] != "none"]
        assert labelled, row
        state = [cell for cell in row["cells"] if cell["state"]]
        assert all(cell["before"].startswith('"状态"') for cell in state), state
    return rows


@pytest.mark.parametrize("size", SIZES)
def test_the_long_lists_become_cards_on_a_phone(live_server, browser, screens, districts, size):
    base = live_server.url
    names = {
        "pooled": [
            "深圳市培育一号绿色智能制造有限公司",
            "深圳市培育二号新材料科技股份有限公司",
            "深圳市培育三号有限公司",
        ],
        "recommended": ["深圳市推荐一号精密电子有限公司", "深圳市推荐二号有限公司"],
        "listed": ["深圳市名单一号新能源汽车零部件有限公司", "深圳市名单二号有限公司"],
        "submitted": ["深圳市待审一号绿色低碳科技有限公司", "深圳市待审二号有限公司"],
        "removed": ["深圳市移出一号医疗器械有限公司"],
    }
    person("city_staff", Role.STAFF)
    person("ns_officer", Role.DISTRICT, district=district("nanshan"))
    with time_machine.travel(at(2026, 9, 15), tick=True):
        for name in names["pooled"]:
            make_dossier(unit(name), year=2026, kind=Kind.FACTORY)
        for name, where in zip(names["recommended"], ("nanshan", "futian"), strict=True):
            make_dossier(unit(name, where), State.RECOMMENDED, year=2026)
        for name, where in zip(names["listed"], ("nanshan", "futian"), strict=True):
            make_dossier(unit(name, where), State.LISTED, year=2026)
        for name in names["submitted"]:
            make_dossier(unit(name), State.SUBMITTED, year=2026)
        for name in names["removed"]:
            listed = make_dossier(unit(name, "futian"), State.LISTED, year=2026)
            reason = "经核实，该单位在动态管理表中填报的单位产品综合能耗数据与能源审计报告不一致，情节严重。"
            remove_from_list(listed, ground=RemovalGround.FALSIFIED_DATA, reason=reason)

        # The city staff's workspace: every dossier, its state on screen.
        page = sign_in(browser, base, "city_staff", size)
        page.goto(f"{base}/workspace/")
        rows = check_list(page, size, "dossier-table", names=[*names["pooled"], *names["recommended"]])
        assert sum(cell["state"] for row in rows for cell in row["cells"]) == len(rows)
        screens(page, "workspace")
        # The conformity queue: the recommended ones, each with its 核查 button, unlabelled.
        page.goto(f"{base}/city/conformity/")
        rows = check_list(page, size, "conformity-table", names=names["recommended"])
        buttons = page.locator("[data-testid=conformity-table] a.btn")
        expect(buttons).to_have_count(len(names["recommended"]))
        for i in range(buttons.count()):
            box = buttons.nth(i).bounding_box()
            assert box["x"] + box["width"] <= size[0] and box["height"] >= (44 if size == PHONE else 0)
        if size == PHONE:
            actions = [cell for row in rows for cell in row["cells"] if cell["label"] == ""]
            assert actions and all(cell["before"] == "none" for cell in actions)
        screens(page, "conformity-queue")
        page.context.close()

        # The district's pool.
        page = sign_in(browser, base, "ns_officer", size)
        page.goto(f"{base}/district/pool/")
        check_list(page, size, "pool-table", names=names["pooled"])
        screens(page, "district-pool")
        page.goto(f"{base}/workspace/")
        check_list(page, size, "dossier-table", names=names["pooled"])
        screens(page, "district-workspace")
        page.goto(f"{base}/district/queue/")
        check_list(page, size, "queue-table", names=names["submitted"])
        screens(page, "district-queue")
        page.context.close()

        # The public list: no sign-in; the unit's name heads each card.
        page = browser.new_context(viewport={"width": size[0], "height": size[1]}).new_page()
        page.goto(f"{base}/public/lists/")
        rows = check_list(page, size, "public-list", names=names["listed"])
        if size == PHONE:
            first = page.locator("[data-testid=public-list] tbody tr").first
            title = first.locator(".table-cards-title")
            top = first.evaluate("row => row.getBoundingClientRect().top")
            assert title.evaluate("el => el.getBoundingClientRect().top") - top < 12  # the name comes first
            assert int(title.evaluate("el => getComputedStyle(el).fontWeight")) >= 600
        screens(page, "public-lists")
        page.goto(f"{base}/public/removals/")
        check_list(page, size, "removals", names=names["removed"])
        screens(page, "public-removals")
        page.context.close()
