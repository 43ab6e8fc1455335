"""Issue 15, the district's pool import: a template to download, the result summarised on top (added, already in
the pool, refused by reason), the first refused rows inline and all of them downloadable as .xlsx."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from applications import imports
from applications.credit_code import example_code
from applications.models import ImportJob
from tests.conftest import make_dossier
from tests.factories import OrganisationFactory, district

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("spring")]


def xlsx(rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("pool.xlsx", buffer.getvalue())


def sheet_rows(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def test_the_template_opens_in_openpyxl_with_the_headers_and_one_example(client, world):
    client.force_login(world.officer_nanshan)
    assert 'data-testid="pool-template"' in client.get(reverse("district_pool")).content.decode()
    rows = sheet_rows(client.get(reverse("pool_template")))
    assert rows[0] == (_("Unified social credit code"), _("Organisation name"))  # 统一社会信用代码 / 单位名称
    assert len(rows) == 2 and rows[1][0] and rows[1][1]
    client.force_login(world.applicant_a)
    assert client.get(reverse("pool_template")).status_code == 404


def test_a_forgotten_example_row_is_refused_not_registered(client, world):
    client.force_login(world.officer_nanshan)
    template = client.get(reverse("pool_template")).content
    data = {"bulk-sheet": SimpleUploadedFile("t.xlsx", template), "bulk-kind": "factory", "bulk-cycle_year": "2027"}
    summary = client.post(reverse("district_pool"), data).context["summary"]
    assert (summary["added"], summary["refused"], summary["reasons"][0]["code"]) == (0, 1, "invalid_code")


def wrong_check_digit(code):
    return code[:-1] + ("1" if code[-1] != "1" else "2")


@pytest.fixture
def imported(client, world):
    """A sheet with 2 new units, 3 already pooled, 1 of another district, 25 bad codes, 1 unknown unit."""
    pooled = [OrganisationFactory(district=district("nanshan")) for _n in range(3)]
    for organisation in pooled:
        make_dossier(organisation, year=2027)
    elsewhere = OrganisationFactory(district=district("futian"))
    rows = [["统一社会信用代码", "单位名称"], [example_code(61001), "深圳市新一有限公司"]]
    rows += [[o.credit_code, ""] for o in pooled]
    rows += [[elsewhere.credit_code, ""], [example_code(61002), "深圳市新二有限公司"]]
    rows += [[wrong_check_digit(example_code(62000 + i)), f"坏代码{i}"] for i in range(25)]
    rows += [[example_code(61003), ""]]
    client.force_login(world.officer_nanshan)
    data = {"bulk-sheet": xlsx(rows), "bulk-kind": "factory", "bulk-cycle_year": "2027"}
    response = client.post(reverse("district_pool"), data)
    return response, ImportJob.objects.get()


def test_the_summary_counts_added_already_pooled_and_refused_by_reason(imported):
    response, job = imported
    summary = response.context["summary"]
    assert (summary["total"], summary["added"], summary["refused"], summary["already_pooled"]) == (32, 2, 30, 3)
    assert [(r["code"], r["count"]) for r in summary["reasons"]] == [
        ("invalid_code", 25),
        ("already_pooled", 3),
        ("other_district", 1),
        ("unknown", 1),
    ]
    html = response.content.decode()
    assert 'data-testid="import-summary"' in html
    assert html.index('data-testid="import-summary"') < html.index('data-testid="pool-template"')  # on top
    # only the first 20 refused rows inline, the rest said to be in the download
    assert len(summary["failed"]) == imports.INLINE_ROWS and summary["more_failed"] == 10
    assert html.count('data-testid="failed-row"') == 20
    assert reverse("import_failed_rows", args=[job.pk]) in html and reverse("import_report", args=[job.pk]) in html
    # the job page shows the same summary
    page = imported[0].client.get(job.get_absolute_url())
    assert page.context["summary"] == summary


def test_the_failed_rows_export_holds_only_the_failures_and_can_be_imported_again(client, world, imported):
    _response, job = imported
    rows = sheet_rows(client.get(reverse("import_failed_rows", args=[job.pk])))
    assert rows[0][0] == _("Unified social credit code")
    failed = rows[1:]
    assert len(failed) == 30
    assert not {r[0] for r in failed} & {example_code(61001), example_code(61002)}  # the added rows are not there
    assert {r[1] for r in failed} >= {"坏代码0", "坏代码24"}
    assert all(r[2] for r in failed)  # each with its reason
    whole = sheet_rows(client.get(reverse("import_report", args=[job.pk])))
    assert len(whole) == 1 + 32
    # another officer cannot read them
    client.force_login(world.officer_futian)
    assert client.get(reverse("import_failed_rows", args=[job.pk])).status_code == 404


def test_a_report_kept_before_reasons_counts_as_other(world):
    summary = imports.summary([[2, "X", "甲", True, "Added"], [3, "Y", "乙", False, "Refused"]])
    assert (summary["added"], summary["refused"], summary["reasons"][0]["code"]) == (1, 1, "")
