"""Issue 15: the dashboard as charts. Server-rendered, accessible SVG (role, aria-label, title, desc, numbers on the
bars, series told apart by pattern as well as colour), each chart beside its table (caption, th scope, a focusable
scroll region) and in the Excel export; a constant number of queries; the district officer sees its own district."""

import datetime
import io
import re
import xml.etree.ElementTree as ET

import lxml.html
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from applications.models import AnnualReport, Kind, Level, State
from registry import charts
from tests.test_list_pages_scale import dossiers

SVG = "{http://www.w3.org/2000/svg}"
NOW = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def known(world):
    """南山区: 3 listed municipal factories of 2026 (one with an overdue annual form, one due for recheck this year),
    2 in review, 1 pooled for 2027. 福田区: 2 national factories of 2024 under recheck, 1 returned."""
    listed = dossiers(3, State.LISTED, level=Level.MUNICIPAL)
    dossiers(2, State.IN_REVIEW)
    dossiers(1, State.POOLED, year=2027)
    dossiers(2, State.RECHECKING, level=Level.NATIONAL, year=2024, where="futian")
    dossiers(1, State.RETURNED, where="futian")
    AnnualReport.objects.create(
        dossier=listed[0], year=2026, due_on=datetime.date(2026, 3, 15), overdue_at=timezone.now()
    )
    listed[1].next_recheck_due = datetime.date(2026, 12, 20)
    listed[1].save(update_fields=["next_recheck_due"])
    return world


def chart(response, key):
    return next(c for c in response.context["charts"] if c.key == key)


def svg_of(markup):
    root = ET.fromstring(str(markup))
    assert root.tag == SVG + "svg"
    return root


def texts(root):
    return [t.text for t in root.iter(SVG + "text")]


def test_charts_show_the_figures_of_a_small_known_world(client, known):
    client.force_login(known.municipal)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200

    pipeline = chart(response, "pipeline")
    rows = dict(pipeline.rows)
    assert (rows["已列入名单"], rows["评审中"], rows["退回修改"], rows["已入培育库"]) == (3, 2, 1, 0)
    assert pipeline.total_row[-1] == 6  # the 2027 pool and the 2024 units are other years
    root = svg_of(pipeline.svgs[0][1])
    shown = texts(root)
    assert shown[shown.index("已列入名单") + 1] == "3"  # the number at the end of its bar
    assert shown.index("评审中") < shown.index("已列入名单")  # in the order of the pipeline
    assert root.find(SVG + "desc").text.startswith("合计6")

    districts = chart(response, "districts")
    table = {row[0]: row[1:] for row in districts.rows}
    assert table["南山区"] == [0, 0, 2, 3, 0, 5]
    assert table["福田区"] == [1, 0, 0, 0, 0, 1]
    assert districts.total_row == ["合计", 1, 0, 2, 3, 0, 6]
    shown = texts(svg_of(districts.svgs[0][1]))
    assert {"南山区", "福田区", "5"} <= set(shown)

    listings = chart(response, "listings")
    assert listings.rows == [[2026, "绿色工厂", 0, 3, 0, 3], [2024, "绿色工厂", 0, 0, 2, 2]]
    assert [subtitle for subtitle, _svg in listings.svgs] == ["绿色工厂"]
    shown = texts(svg_of(listings.svgs[0][1]))
    assert {"2026", "2024", "区级", "市级", "国家级", "3", "2"} <= set(shown)

    follow = chart(response, "follow_up")
    table = {row[0]: row[1:] for row in follow.rows}
    assert table["南山区"] == [1, 1, 0] and table["福田区"] == [0, 0, 2] and table["罗湖区"] == [0, 0, 0]
    shown = texts(svg_of(follow.svgs[0][1]))
    assert "南山区" in shown and "福田区" in shown and "罗湖区" not in shown  # all-zero districts left out
    assert (response.context["overdue"], response.context["rechecks_due"], response.context["rechecks_open"]) == (
        1,
        1,
        2,
    )


def test_every_chart_is_an_accessible_image(client, known):
    client.force_login(known.municipal)
    html = client.get(reverse("dashboard")).content.decode()
    page = lxml.html.fromstring(html)
    svgs = page.xpath("//svg")
    assert len(svgs) == 4  # the pipeline, by district, one kind with units, the follow-up
    ids = set()
    for svg in svgs:
        assert svg.get("role") == "img"
        assert svg.get("aria-label")
        assert svg.get("viewbox") or svg.get("viewBox")
        title, desc = svg.find("title"), svg.find("desc")
        assert title is not None and title.text == svg.get("aria-label")
        assert desc is not None and desc.text and svg.get("aria-describedby") == desc.get("id")
        assert svg.get("id") not in ids
        ids.add(svg.get("id"))
    assert " style=" not in html  # CSP: no inline style, no inline script
    assert "<script>" not in html.split("<main", 1)[1]


def test_series_differ_by_pattern_and_every_bar_has_its_number():
    svg = charts.bar_chart(
        "t", "标题", "说明", ["南山区", "<福田区>"], ["甲", "乙", "丙"], [[1, 2, 0], [4, 0, 7]], stacked=False
    )
    root = svg_of(svg)
    fills = {r.get("fill") for r in root.iter(SVG + "rect") if r.get("fill")}
    assert {"#0b6e4f", "url(#t-p1)", "url(#t-p2)"} <= fills  # legend swatches: solid, stripes, dots
    assert {p.get("id") for p in root.iter(SVG + "pattern")} == {"t-p1", "t-p2"}
    assert [t.text for t in root.iter(SVG + "text") if t.text.isdigit()] == ["1", "2", "0", "4", "0", "7"]
    assert "<福田区>" in texts(root) and "&lt;福田区&gt;" in str(svg)  # escaped
    stacked = svg_of(charts.bar_chart("s", "t", "d", ["南山区"], ["甲", "乙"], [[30, 12]], stacked=True))
    assert "42" in texts(stacked)  # the total at the end of the bar
    empty = svg_of(charts.bar_chart("e", "t", "d", ["南山区"], [""], [[0]]))
    assert texts(empty) == ["南山区", "0"]


def test_tables_have_captions_header_scopes_and_focusable_scroll_regions(client, known):
    client.force_login(known.municipal)
    page = lxml.html.fromstring(client.get(reverse("dashboard")).content)
    tables = page.xpath("//table")
    assert len(tables) == 5  # one per chart and the detail by district, kind and level
    for table in tables:
        assert table.xpath("./caption") and table.xpath("./caption")[0].text_content().strip()
        headers = table.xpath(".//th")
        assert headers and all(th.get("scope") in ("col", "row") for th in headers)
        assert all(th.text_content().strip() for th in headers)  # no empty header
        region = table.getparent()
        assert region.get("tabindex") == "0" and region.get("role") == "region" and region.get("aria-label")
    regions = page.xpath('//*[@role="region"]')
    assert len({r.get("aria-label") for r in regions}) == len(regions)  # each region has its own name


def test_the_excel_export_has_one_sheet_per_chart(client, known):
    client.force_login(known.municipal)
    response = client.get(reverse("dashboard"), {"format": "xlsx"})
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 5
    titles = [c.title for c in client.get(reverse("dashboard")).context["charts"]]
    assert book.sheetnames[:4] == [t[:31] for t in titles]
    pipeline = {row[0]: row[1] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert (pipeline["已列入名单"], pipeline["评审中"], pipeline["合计"]) == (3, 2, 6)
    follow = {row[0]: row[1:] for row in book.worksheets[3].iter_rows(min_row=2, values_only=True)}
    assert follow["南山区"] == (1, 1, 0) and follow["合计"] == (1, 1, 2)
    detail = {row[0]: row[1:] for row in book.worksheets[4].iter_rows(min_row=2, values_only=True)}
    labels = client.get(reverse("dashboard")).context["labels"]
    assert detail["南山区"][labels.index("绿色工厂·市级")] == 3

    one = load_workbook(io.BytesIO(client.get(reverse("dashboard"), {"format": "xlsx", "chart": "listings"}).content))
    assert len(one.sheetnames) == 1
    assert list(one.worksheets[0].iter_rows(min_row=2, values_only=True)) == [
        (2026, "绿色工厂", 0, 3, 0, 3),
        (2024, "绿色工厂", 0, 0, 2, 2),
    ]
    assert client.get(reverse("dashboard"), {"format": "xlsx", "chart": "nothing"}).status_code == 404


def test_the_year_chooses_the_pipeline(client, known):
    client.force_login(known.municipal)
    response = client.get(reverse("dashboard"), {"year": 2027})
    assert dict(chart(response, "pipeline").rows)["已入培育库"] == 1
    assert response.context["years"] == [2027, 2026, 2024]
    assert client.get(reverse("dashboard"), {"year": "x"}).context["year"] == 2026
    assert client.get(reverse("dashboard"), {"year": "99999"}).context["year"] == 2026


def count_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return response, len(queries)


@pytest.mark.parametrize("who", ["municipal", "officer_nanshan"])
def test_the_dashboard_makes_the_same_number_of_queries_for_few_or_many_units(client, known, who):
    client.force_login(getattr(known, who))
    client.get(reverse("dashboard"))
    _small, few = count_queries(client)
    dossiers(40, State.LISTED, level=Level.MUNICIPAL, year=2025)
    dossiers(20, State.IN_PUBLICITY, where="futian")
    dossiers(15, State.RECHECKING, kind=Kind.PARK, level=Level.NATIONAL, where="baoan")
    large, many = count_queries(client)
    assert many == few <= 12
    assert dict(chart(large, "pipeline").rows)["公示中"] == (20 if who == "municipal" else 0)


def test_a_district_officer_sees_its_own_district_only(client, known):
    client.force_login(known.officer_nanshan)
    response = client.get(reverse("dashboard"))
    assert [row[0] for row in chart(response, "districts").rows] == ["南山区"]
    assert [row[0] for row in chart(response, "follow_up").rows] == ["南山区"]
    assert chart(response, "pipeline").total_row[-1] == 5
    assert chart(response, "listings").rows == [[2026, "绿色工厂", 0, 3, 0, 3]]
    html = response.content.decode()
    assert "福田区" not in html
    book = load_workbook(io.BytesIO(client.get(reverse("dashboard"), {"format": "xlsx"}).content))
    cells = {str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row}
    assert "福田区" not in cells and "南山区" in cells


def test_the_charts_scale_with_their_box():
    root = svg_of(charts.bar_chart("w", "t", "d", ["南山区"], [""], [[3]]))
    assert re.fullmatch(r"0 0 420 \d+", root.get("viewBox"))
    assert root.get("width") is None and root.get("height") is None  # the stylesheet sizes it
