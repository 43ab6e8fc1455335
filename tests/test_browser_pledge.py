"""Issue 15: a pledge or declaration checkbox left unticked shows its error right under its own label, at 1366 and
390 px: the agency's truthfulness pledge on the report upload (第十四条) and the expert's declaration of no conflict
of interest beside the final scores (第十七条). The error is referenced by the checkbox's aria-describedby and the
checkbox is marked invalid.

Screenshots go to test-artifacts/screenshots/<test>/ (not committed): look at them.
"""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import Role
from applications.models import State
from reviews.models import Criterion, ExpertAssignment, Review, Round
from tests.confirming import confirm
from tests.conftest import at, make_dossier
from tests.factories import MINIMAL_PDF, AgencyFactory
from tests.test_browser_roles import no_sideways_scroll, person, sign_in, unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = [pytest.param((1366, 768), id="1366x768"), pytest.param((390, 844), id="390x844")]


def error_beside(page, name):
    """The checkbox ``name``'s error: marked invalid, described by the error, which sits right under its label."""
    box = page.locator(f"input[type=checkbox][name={name}]")
    assert "is-invalid" in (box.get_attribute("class") or "").split()
    assert box.get_attribute("aria-invalid") == "true"
    error_id = f"id_{name}_error"
    assert error_id in (box.get_attribute("aria-describedby") or "").split()
    error = page.locator(f"#{error_id}")
    expect(error).to_be_visible()
    label = page.locator(f"label[for=id_{name}]")
    box_at, label_at, error_at = box.bounding_box(), label.bounding_box(), error.bounding_box()
    # Under the label (not beside it, not elsewhere on the page), within ~60 px of its bottom edge.
    assert error_at["y"] >= label_at["y"] + label_at["height"] - 2, (label_at, error_at)
    assert error_at["y"] - (label_at["y"] + label_at["height"]) <= 60, (label_at, error_at)
    assert error_at["y"] >= box_at["y"] + box_at["height"] - 2, (box_at, error_at)
    # Its message lined up with the label's text, as wide as the label (it wraps, it is not squeezed beside it).
    message_at = error.locator(".invalid-feedback").first.bounding_box()
    assert abs(message_at["x"] - label_at["x"]) <= 4, (label_at, message_at)
    assert message_at["width"] >= label_at["width"] - 4, (label_at, message_at)
    return error


@pytest.mark.parametrize("size", SIZES)
def test_the_pledge_error_is_under_the_pledge(live_server, browser, screens, districts, tmp_path, size):
    report = tmp_path / "评价报告.pdf"
    report.write_bytes(MINIMAL_PDF)
    agency = AgencyFactory(name="深圳市丁评价技术有限公司")
    person("agency_pledge", Role.AGENCY, agency=agency)
    with time_machine.travel(at(2027, 3, 10), tick=True):
        dossier = make_dossier(unit("深圳市承诺一号有限公司"), year=2027, agency=agency)
        page = sign_in(browser, live_server.url, "agency_pledge", size)
        page.goto(live_server.url + reverse("upload_report", args=[dossier.pk]))
        page.set_input_files("input[name=report]", str(report))
        page.click("main form button.btn-primary")
        screens(page, "upload-pledge-missing")
        error = error_beside(page, "attested")
        expect(error).to_have_text("请勾选真实性承诺（第十四条）。")
        no_sideways_scroll(page, size)
    dossier.refresh_from_db()
    assert not dossier.report_attested


@pytest.mark.parametrize("size", SIZES)
def test_the_no_conflict_declaration_error_is_under_the_declaration(live_server, browser, screens, districts, size):
    expert = person("expert_decl", Role.EXPERT)
    with time_machine.travel(at(2027, 7, 15), tick=True):
        dossier = make_dossier(unit("深圳市声明一号有限公司"), State.IN_REVIEW, year=2027)
        review_round = Round.objects.create(
            year=2027, kind="factory", select_count=1, scoring_deadline=datetime.date(2027, 7, 30)
        )
        for order, name in enumerate(("能源低碳化", "资源高效化"), start=1):
            Criterion.objects.create(round=review_round, name=name, weight=Decimal(50), max_score=100, order=order)
        assignment = ExpertAssignment.objects.create(dossier=dossier, expert=expert)
        page = sign_in(browser, live_server.url, "expert_decl", size)
        page.goto(live_server.url + reverse("expert_score", args=[assignment.pk]))
        inputs = page.locator("[data-testid=criterion-row] input[type=number]")
        inputs.nth(0).fill("90")
        inputs.nth(1).fill("80")
        # A draft needs no declaration.
        page.click("[data-testid=save-draft]")
        expect(page.locator("[data-testid=draft-badge]")).to_be_visible()
        # Final scores without the declaration: refused, the error under the declaration, beside the button.
        page.click("[data-testid=submit-final]")
        confirm(page)
        screens(page, "no-conflict-missing")
        error = error_beside(page, "no_conflict")
        expect(error).to_contain_text(re.compile("第十七条|Art. 17"))  # English until the catalogue is compiled
        no_sideways_scroll(page, size)
        assert not Review.objects.get(assignment=assignment).is_final
        # Declared: the final scores are recorded with the time of the declaration, shown on the read-only page.
        page.check("input[name=no_conflict]")
        page.click("[data-testid=submit-final]")
        confirm(page)
        expect(page.locator("[data-testid=final-badge]")).to_be_visible()
        expect(page.locator("[data-testid=no-conflict-declared]")).to_contain_text("2027-07-15")
        screens(page, "no-conflict-declared")
    review = Review.objects.get(assignment=assignment)
    assert review.is_final and review.no_conflict_declared_at == review.finalised_at
