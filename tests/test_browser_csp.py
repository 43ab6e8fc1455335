"""Issue 12 in Debian's Chromium: under the Content-Security-Policy (no inline script or style), the main pages
run without a violation for an applicant, city staff and the public, and a data-confirm button asks first
(static/js/confirm.js), by mouse and by keyboard."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from accounts.models import Role, User
from applications.models import State
from registry.models import Removal
from tests.conftest import make_dossier
from tests.factories import OrganisationFactory, declare_eligible, district

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Browser-Test-2027"


def confirm_removal():
    """The removal button's question as the Chinese interface says it (templates/registry/remove.html)."""
    with translation.override("zh-hans"):
        return gettext(
            "Remove this unit from the list? It leaves every public list, the removal notice gives the ground and "
            "the facts, the others close up in rank, and the unit may not apply again for 3 years (Art. 12, 21, 22)."
            " This cannot be undone."
        )


@pytest.fixture
def people(districts):
    unit = OrganisationFactory(name="深圳市安全绿色制造有限公司", district=district("nanshan"))
    declare_eligible(unit)
    listed = make_dossier(unit, State.LISTED)
    pooled = make_dossier(unit, State.POOLED, year=2027)
    return {
        "listed": listed,
        "pooled": pooled,
        "applicant": User.objects.create_user(
            "csp-applicant", password=PASSWORD, role=Role.APPLICANT, organisation=unit
        ),
        "city": User.objects.create_user("csp-city", password=PASSWORD, role=Role.MUNICIPAL),
    }


def watched_page(browser):
    """A page that records every console message and page error that names the Content Security Policy."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.violations = []
    page.on(
        "console",
        lambda message: page.violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.on("pageerror", lambda error: page.violations.append(str(error)))
    return page


def log_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("申报档案")


def visit(page, base, paths):
    for path in paths:
        response = page.goto(f"{base}{path}")
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
    assert page.violations == []


def test_main_pages_run_without_a_policy_violation(live_server, browser, people):
    base = live_server.url
    listed, pooled = people["listed"], people["pooled"]

    public = watched_page(browser)
    visit(
        public,
        base,
        [
            "/",
            reverse("public_lists"),
            reverse("public_publicity_list"),
            reverse("public_removals"),
            reverse("public_report"),
            reverse("track_submission"),
            reverse("login"),
        ],
    )

    applicant = watched_page(browser)
    log_in(applicant, base, "csp-applicant")
    visit(
        applicant,
        base,
        [reverse("home"), reverse("dossier_detail", args=[listed.pk]), reverse("dossier_detail", args=[pooled.pk])],
    )
    applicant.click("[data-testid=account-menu]")  # Bootstrap's dropdown, from its static script
    expect(applicant.locator(".dropdown-menu-end")).to_be_visible()

    city = watched_page(browser)
    log_in(city, base, "csp-city")
    visit(
        city,
        base,
        [
            reverse("home"),
            reverse("conformity_queue"),
            reverse("ranking"),
            reverse("publicity_batches"),
            reverse("dossier_detail", args=[listed.pk]),
            reverse("application_view", args=[listed.pk]),
            reverse("remove_from_list", args=[listed.pk]),
        ],
    )
    assert city.violations == applicant.violations == public.violations == []


def test_a_data_confirm_button_asks_and_a_refusal_sends_nothing(live_server, browser, people):
    base = live_server.url
    listed = people["listed"]
    page = watched_page(browser)
    log_in(page, base, "csp-city")
    page.goto(f"{base}{reverse('remove_from_list', args=[listed.pk])}")
    page.select_option("#id_ground", "falsified")
    page.fill("#id_reason", "经核查，该企业申报材料中能耗数据造假。")
    # The question is asked in the portal's own dialog (static/js/confirm.js), not window.confirm.
    page.on("dialog", lambda dialog: pytest.fail(f"a native dialog was opened: {dialog.message}"))
    dialog = page.locator("[data-testid=confirm-dialog]")
    page.click("[data-testid=confirm-removal]")
    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-testid=confirm-message]")).to_have_text(confirm_removal())
    dialog.locator("[data-testid=confirm-cancel]").click()
    expect(dialog).to_be_hidden()
    assert not Removal.objects.filter(dossier=listed).exists()

    # By keyboard: the focused button submits with Enter, the dialog asks, Enter on its focused button confirms.
    page.focus("[data-testid=confirm-removal]")
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator(".alert-success")).to_be_visible(timeout=20_000)  # the submission, on a busy CI machine
    assert Removal.objects.filter(dossier=listed).count() == 1
    assert page.violations == []
