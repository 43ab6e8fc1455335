"""Browser tests: answer static/js/confirm.js's dialog (issue 15), which replaced window.confirm."""

from playwright.sync_api import expect


def confirm(page, *, navigates=True):
    """Accept the confirmation dialog that a data-confirm button opened (the person reads it and confirms).

    Accepting submits the form: wait for the page it leads to, so that the test's next ``goto`` does not race
    the submission's navigation (Chromium aborts one of the two)."""
    dialog = page.locator("[data-testid=confirm-dialog]")
    expect(dialog).to_be_visible()
    accept = dialog.locator("[data-testid=confirm-accept]")
    if navigates:
        with page.expect_navigation():
            accept.click()
    else:
        accept.click()
