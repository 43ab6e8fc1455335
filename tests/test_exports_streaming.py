"""Issue 13: .xlsx exports are written in openpyxl's write-only mode from ``values_list`` rows, never from
model instances, with the same number of queries whatever the number of rows."""

import io

import openpyxl
import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from applications import spreadsheets
from applications.models import Dossier
from tests.conftest import make_dossier
from tests.factories import OrganisationFactory, declare_eligible

pytestmark = pytest.mark.django_db


def dossiers(n):
    for _ in range(n):
        org = OrganisationFactory()
        declare_eligible(org)
        make_dossier(org)


def sheet_rows(response):
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def test_the_dossier_export_is_built_in_write_only_mode(client, world, monkeypatch):
    modes = []

    class Recording(openpyxl.Workbook):
        def __init__(self, *args, **kwargs):
            modes.append(kwargs.get("write_only", False))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(spreadsheets, "Workbook", Recording)
    dossiers(2)
    client.force_login(world.municipal)

    response = client.get(reverse("home"), {"format": "xlsx"})

    assert response.status_code == 200
    assert modes == [True]
    assert len(sheet_rows(response)) == 1 + 2


def test_the_dossier_export_reads_values_never_model_instances(client, world):
    dossiers(3)
    built = []

    def count(sender, **kwargs):
        built.append(sender)

    client.force_login(world.municipal)
    post_init.connect(count, sender=Dossier)
    try:
        response = client.get(reverse("home"), {"format": "xlsx"})
    finally:
        post_init.disconnect(count, sender=Dossier)

    assert response.status_code == 200
    assert built == []
    rows = sheet_rows(response)
    assert rows[0][:3] == ("单位名称", "统一社会信用代码", "所属区")
    assert sorted(r[2] for r in rows[1:]) == sorted(
        Dossier.objects.values_list("organisation__district__name", flat=True)
    )


def test_the_export_reads_rows_in_chunks(world, monkeypatch):
    dossiers(5)
    monkeypatch.setattr(spreadsheets, "CHUNK_ROWS", 2)
    columns = [spreadsheets.Column("name", "organisation__name"), spreadsheets.Column("year", "cycle_year")]

    rows = list(spreadsheets.value_rows(Dossier.objects.order_by("pk"), columns, chunk_size=2))

    assert [r[1] for r in rows] == [2026] * 5


def test_the_export_runs_the_same_queries_for_few_and_many_rows(client, world):
    client.force_login(world.municipal)
    dossiers(2)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"), {"format": "xlsx"})
    dossiers(8)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("home"), {"format": "xlsx"})

    assert len(sheet_rows(response)) == 1 + 10
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_streamed_sheet_keeps_formulas_as_text_and_widths_from_the_first_rows():
    rows = ({"n": n} for n in range(3))
    response = spreadsheets.xlsx_response(
        "t", ["name", "number"], ([f"=A{r['n']}", r["n"]] for r in rows), title="t" * 40
    )

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "t" * 31
    assert [(c.value, c.data_type, c.quotePrefix) for c in sheet["A"][1:]] == [
        ("=A0", "s", True),
        ("=A1", "s", True),
        ("=A2", "s", True),
    ]
    assert [c.value for c in sheet["B"][1:]] == [0, 1, 2]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold is True


def test_the_annual_forms_export_reads_values_and_shows_status_date_and_flags(client, world):
    import datetime

    from django.utils import timezone

    from applications.models import AnnualReport

    made = []
    for index in range(3):
        org = OrganisationFactory(name=f"年报单位{index}", district=world.org_a.district)
        declare_eligible(org)
        made.append(make_dossier(org))
    overdue = timezone.make_aware(datetime.datetime(2027, 3, 16, 0, 10))
    AnnualReport.objects.create(dossier=made[0], year=2027, due_on=datetime.date(2027, 3, 15), overdue_at=overdue)
    AnnualReport.objects.create(
        dossier=made[1],
        year=2027,
        due_on=datetime.date(2027, 3, 15),
        status=AnnualReport.Status.SUBMITTED,
        flags=[{"code": "energy", "name": "单位产品能耗"}, {"code": "water", "name": "用水量"}],
    )
    AnnualReport.objects.create(dossier=made[2], year=2026, due_on=datetime.date(2026, 3, 15))
    built = []

    def count(sender, **kwargs):
        built.append(sender)

    client.force_login(world.municipal)
    post_init.connect(count, sender=AnnualReport)
    try:
        response = client.get(reverse("annual_list"), {"year": 2027, "format": "xlsx"})
    finally:
        post_init.disconnect(count, sender=AnnualReport)

    assert response.status_code == 200
    assert built == []
    rows = sheet_rows(response)
    assert rows[0] == ("单位名称", "所属区", "状态", "逾期时间", "预警")
    assert sorted(rows[1:]) == sorted(
        [
            ("年报单位0", world.org_a.district.name, "待填报", "2027-03-16", None),
            ("年报单位1", world.org_a.district.name, "已提交", None, "单位产品能耗、用水量"),
        ]
    )


def test_the_streamed_rows_read_back_exactly_as_openpyxl_would_have_written_them(tmp_path):
    import datetime
    import zipfile
    from decimal import Decimal

    from lxml import etree

    rows = [
        ["深圳市<甲>&乙", 7, 2.5, Decimal("1.25"), None, True],
        ["  spaced  ", -3, float("nan"), "", "a\x01b\x1fc", datetime.date(2026, 5, 30)],
        ["second\r\nline", 10**15, -0.0, "@x", "+1", "-"],
    ]
    calls = []
    path = tmp_path / "t.xlsx"

    written = spreadsheets.write_xlsx(
        path, ["a", "b", "c", "d", "e", "f"], iter(rows), title="t", progress=calls.append, every=2
    )

    assert written == 3
    assert calls == [2, 3]
    with zipfile.ZipFile(path) as archive:
        etree.fromstring(archive.read(spreadsheets.SHEET_MEMBER))  # well-formed XML
    sheet = load_workbook(path).active
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    assert values == [
        ("深圳市<甲>&乙", 7, 2.5, 1.25, None, "True"),
        ("  spaced  ", -3, "nan", None, "abc", "2026-05-30"),
        ("second\r\nline", 10**15, -0.0, "@x", "+1", "-"),
    ]
    quoted = [(cell.coordinate, cell.quotePrefix) for row in sheet.iter_rows(min_row=2) for cell in row if cell.value]
    assert {coordinate for coordinate, prefix in quoted if prefix} == {"D4", "E4", "F4"}


def test_a_sheet_with_no_rows_has_its_header_only():
    response = spreadsheets.xlsx_response("t", ["名称", "年度"], iter([]), title="空")

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert list(sheet.iter_rows(values_only=True)) == [("名称", "年度")]
    assert sheet.title == "空"
