"""Issue 15 in Debian's Chromium: an irreversible action asks in the portal's own dialog (static/js/confirm.js), which
states the count of ticked units, works with the keyboard alone (focus moves in, Esc cancels and nothing is
sent, Enter confirms, focus returns) and is a labelled alertdialog. Screenshots at 1366×768 and 390×844 go to
test-artifacts/screenshots/ (not committed): look at them."""

import pytest
import time_machine
from playwright.sync_api import expect

from accounts.models import Role, User
from applications.models import State
from reviews.models import RecommendationBatch
from tests.conftest import at, checked, make_dossier
from tests.factories import OrganisationFactory, attach_pdf, declare_eligible, district

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Browser-Test-2027"
NAMES = ["深圳市确认一号制造有限公司", "深圳市确认二号制造有限公司", "深圳市确认三号制造有限公司"]


@pytest.fixture
def three_checked(districts):
    User.objects.create_user(
        "ns_confirm", password=PASSWORD, role=Role.DISTRICT, district=district("nanshan"), first_name="南山办"
    )
    dossiers = []
    for name in NAMES:
        org = OrganisationFactory(name=name, district=district("nanshan"))
        declare_eligible(org)
        dossier = attach_pdf(make_dossier(org, State.SUBMITTED, year=2027))
        checked(dossier)
        dossiers.append(dossier)
    return dossiers


def log_in(page, base):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "ns_confirm")
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def focused(page):
    return page.evaluate("document.activeElement && document.activeElement.dataset.testid")


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (390, 844)])
def test_recommendation_asks_with_the_count_and_works_by_keyboard(
    live_server, browser, screens, three_checked, width, height
):
    base = live_server.url
    with time_machine.travel(at(2027, 3, 10, 10), tick=True):
        page = browser.new_context(viewport={"width": width, "height": height}).new_page()
        page.on("dialog", lambda dialog: pytest.fail(f"a native dialog was opened: {dialog.message}"))
        log_in(page, base)
        page.goto(f"{base}/district/recommendation/?year=2027")
        button = page.locator("[data-testid=submit-batch]")
        dialog = page.locator("[data-testid=confirm-dialog]")
        message = dialog.locator("[data-testid=confirm-message]")

        # Enter on the focused button opens the dialog; the three checked dossiers are ticked by default.
        button.focus()
        page.keyboard.press("Enter")
        expect(dialog).to_be_visible()
        assert dialog.get_attribute("role") == "alertdialog"
        title = page.locator(f"#{dialog.get_attribute('aria-labelledby')}")
        expect(title).to_have_text("请确认")
        assert dialog.get_attribute("aria-describedby") == message.get_attribute("id")
        expect(message).to_contain_text("3")
        expect(message).not_to_contain_text("__N__")
        expect(message).to_contain_text("第十五条")
        assert focused(page) == "confirm-accept"  # focus moved into the dialog
        screens(page, f"dialog-three-{width}")

        # Esc cancels: the dialog closes, nothing is sent, focus is back on the button.
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        assert focused(page) == "submit-batch"
        page.wait_for_timeout(300)
        assert not RecommendationBatch.objects.exists()

        # Untick one with the keyboard (Space); the count follows.
        page.locator(f"input[value='{three_checked[2].pk}']").focus()
        page.keyboard.press("Space")
        button.focus()
        page.keyboard.press("Enter")
        expect(message).to_contain_text("2")
        # Tab reaches Cancel; Space on it cancels too.
        page.keyboard.press("Shift+Tab")
        assert focused(page) == "confirm-cancel"
        page.keyboard.press("Space")
        expect(dialog).to_be_hidden()
        assert not RecommendationBatch.objects.exists()

        # Enter, then Enter on the dialog's confirm button: sent, with the two ticked.
        button.focus()
        page.keyboard.press("Enter")
        expect(dialog).to_be_visible()
        page.keyboard.press("Enter")
        expect(page.locator(".alert-success")).to_be_visible(timeout=20_000)  # the submission, on a busy CI machine
        screens(page, f"recommended-{width}")
    batch = RecommendationBatch.objects.get()
    assert sorted(batch.dossiers.values_list("pk", flat=True)) == sorted(d.pk for d in three_checked[:2])
    for dossier in three_checked:
        dossier.refresh_from_db()
    assert [d.state for d in three_checked] == [State.RECOMMENDED, State.RECOMMENDED, State.SUBMITTED]


def test_with_nothing_ticked_the_dialog_only_explains(live_server, browser, screens, three_checked):
    base = live_server.url
    with time_machine.travel(at(2027, 3, 10, 10), tick=True):
        page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
        log_in(page, base)
        page.goto(f"{base}/district/recommendation/?year=2027")
        for box in page.locator("input[name=dossiers]").all():
            box.uncheck()
        page.locator("[data-testid=submit-batch]").click()
        dialog = page.locator("[data-testid=confirm-dialog]")
        expect(dialog).to_be_visible()
        expect(dialog.locator("[data-testid=confirm-accept]")).to_be_hidden()
        assert focused(page) == "confirm-cancel"
        screens(page, "dialog-nothing-ticked")
        page.keyboard.press("Enter")  # closes (the only button)
        expect(dialog).to_be_hidden()
        page.wait_for_timeout(300)
    assert not RecommendationBatch.objects.exists()
