"""Issue 13: PDFs are laid out with WeasyPrint's user-agent sheet trimmed to the elements our templates use
(greenfactory/pdf.py). The trimmed sheet must change nothing on the page: every document is laid out both
ways and every box compared."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from weasyprint import HTML

import greenfactory.pdf as pdf
from applications.models import Dossier, Kind, RemovalGround
from applications.report_pdf import self_evaluation_report
from registry import notices
from tests.conftest import make_dossier
from tests.test_notices import _no_network, long_list, publicity  # noqa: F401 (fixtures)
from tests.test_report_pdf import filled  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

PDF_TEMPLATES = ("notices", "applications/report")


@pytest.fixture
def rendered_html(monkeypatch):
    """The HTML of every PDF rendered in the test, as WeasyPrint received it."""
    seen = []
    real = pdf.render_to_string

    def recording(*args, **kwargs):
        seen.append(real(*args, **kwargs))
        return seen[-1]

    monkeypatch.setattr(pdf, "render_to_string", recording)
    return seen


def layout(html_class, html):
    """Every box of every page: its kind, element, text and geometry."""
    document = html_class(string=html, base_url=pdf.base_url(), url_fetcher=pdf.LocalFetcher()).render()
    pages = []
    for page in document.pages:
        boxes = []
        for box in page._page_box.descendants():
            geometry = tuple(round(getattr(box, name, 0) or 0, 2) for name in ("position_x", "position_y", "width"))
            boxes.append((type(box).__name__, box.element_tag, getattr(box, "text", ""), geometry))
        pages.append(boxes)
    return pages


def removed(world):
    out = []
    for org, kind, ground in (
        (world.org_a, Kind.FACTORY, RemovalGround.MAJOR_ACCIDENT),
        (world.org_b, Kind.SUPPLY_CHAIN, RemovalGround.ANNUAL_FORM_NOT_FILED),
    ):
        dossier = make_dossier(org, kind=kind)
        Dossier.objects.filter(pk=dossier.pk).update(removal_ground=ground, removed_on=datetime.date(2026, 11, 2))
        out.append(Dossier.objects.get(pk=dossier.pk))
    return out


def assert_laid_out_as_with_the_full_sheet(html):
    full, trimmed = layout(HTML, html), layout(pdf.DocumentHTML, html)
    assert len(full) >= 1
    assert len(trimmed) == len(full)
    for full_page, trimmed_page in zip(full, trimmed, strict=True):
        assert trimmed_page == full_page


def test_the_publicity_notice_and_a_long_list_are_laid_out_as_with_the_full_sheet(world, publicity, rendered_html):  # noqa: F811
    notices.publicity_notice(publicity)
    notices.list_announcement(long_list(world, publicity, 120))

    assert len(rendered_html) == 2
    for html in rendered_html:
        assert_laid_out_as_with_the_full_sheet(html)


def test_the_removal_notice_is_laid_out_as_with_the_full_sheet(world, rendered_html):
    notices.removal_notice(removed(world), decided_on=datetime.date(2026, 11, 2))

    assert_laid_out_as_with_the_full_sheet(rendered_html[0])


def test_the_self_evaluation_report_is_laid_out_as_with_the_full_sheet(filled, rendered_html):  # noqa: F811
    self_evaluation_report(filled)

    assert_laid_out_as_with_the_full_sheet(rendered_html[0])


def test_the_trimmed_sheet_is_the_one_weasyprint_uses(monkeypatch):
    calls = []
    real = pdf.DocumentHTML._ua_stylesheets

    def spy(self, forms=False):
        calls.append(forms)
        return real(self, forms)

    monkeypatch.setattr(pdf.DocumentHTML, "_ua_stylesheets", spy)
    pdf.DocumentHTML(string="<p>绿色工厂</p>").render()

    assert calls
    assert real(pdf.DocumentHTML(string="")) == [pdf.PDF_USER_AGENT_SHEET]


def test_the_trimmed_sheet_keeps_the_rules_of_our_elements_and_drops_the_rest():
    import tinycss2

    rules = tinycss2.parse_stylesheet(pdf.PDF_USER_AGENT_SHEET_TEXT, skip_comments=True, skip_whitespace=True)
    selectors = {tinycss2.serialize(rule.prelude).strip() for rule in rules if rule.type == "qualified-rule"}

    assert "td, th { display: table-cell }" in pdf.PDF_USER_AGENT_SHEET_TEXT
    assert "br::before" in selectors
    assert any(rule.type == "at-rule" and rule.lower_at_keyword == "page" for rule in rules)
    assert not any(re.search(r"\[|:is\(|\b(input|select|ul|ol)\b", selector) for selector in selectors)


def test_the_pdf_templates_use_only_the_elements_the_trimmed_sheet_keeps():
    used = set()
    for folder in PDF_TEMPLATES:
        for path in (Path(settings.BASE_DIR) / "templates" / folder).glob("*.html"):
            used |= set(re.findall(r"<([a-z][a-z0-9]*)", path.read_text(encoding="utf-8")))

    assert {"table", "td", "br"} <= used
    assert used <= pdf.PDF_ELEMENTS
