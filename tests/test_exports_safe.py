"""Exports are data, not code (issue 12): no text leaves as a live formula, in .xlsx or CSV."""

import csv
import io
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from applications.export_safety import neutralise
from applications.models import State
from applications.spreadsheets import xlsx_response
from registry.models import PublishedList
from tests.conftest import below_the_model, make_dossier
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

EVIL_NAME = '=HYPERLINK("http://evil","点击")'
EVIL_REASON = "@SUM(1) 理由"


def cells(response):
    sheet = load_workbook(io.BytesIO(response.content)).active
    return {cell.value: cell for row in sheet.iter_rows(min_row=2) for cell in row}


def test_the_dossier_export_keeps_a_formula_like_name_as_text(client, world):
    world.org_a.name = EVIL_NAME
    world.org_a.save()
    agency = AgencyFactory(name=EVIL_REASON)
    dossier = make_dossier(world.org_a)
    dossier.evaluation_mode, dossier.agency = "agency", agency
    dossier.save()
    client.force_login(world.municipal)

    response = client.get(reverse("home"), {"format": "xlsx"})

    assert response.status_code == 200
    found = cells(response)
    # Shown exactly as written, stored as a string cell that Excel keeps as text (quote prefix), not a formula.
    for value in (EVIL_NAME, EVIL_REASON):
        assert found[value].data_type == "s"
        assert found[value].quotePrefix is True
    sheet_xml = zipfile.ZipFile(io.BytesIO(response.content)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml


def test_the_public_csv_neutralises_a_formula_like_name_and_list_title(client, world):
    world.org_a.name = EVIL_NAME
    world.org_a.save()
    listed = make_dossier(world.org_a, State.LISTED)
    # A title typed on the publish screen; the record is kept as written, so it is arranged below the model.
    with below_the_model():
        PublishedList._base_manager.filter(pk=listed.published_list_id).update(title=EVIL_REASON)

    response = client.get(reverse("open_data_csv"))

    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [(r["name"], r["list_title"]) for r in rows] == [("'" + EVIL_NAME, "'" + EVIL_REASON)]
    assert rows[0]["rank"] == "1"


def test_every_formula_trigger_is_neutralised_and_numbers_stay_numbers():
    texts = ["=1+1", "+1", "-1", "@SUM(1)", "\t=1", "\r=1"]
    response = xlsx_response("t", ["a", "b", "c"], [[text, -3.5, Decimal("2.5")] for text in texts], title="t")

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2))
    assert [row[0].value for row in rows] == texts
    assert {(row[0].data_type, row[0].quotePrefix) for row in rows} == {("s", True)}
    assert {(row[1].value, row[1].data_type) for row in rows} == {(-3.5, "n")}
    assert [neutralise(text) for text in texts] == ["'" + text for text in texts]
    assert [neutralise(v) for v in (-3.5, 7, "深圳市-甲", "a=b")] == [-3.5, 7, "深圳市-甲", "a=b"]
