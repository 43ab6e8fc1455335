"""Issue 11, a public face: ``/`` without login (publicity in progress with working days left, recent notices,
the searchable and paginated lists), the open data (CSV, JSON and its schema, the Atom feed of notices), and
the logged-in workspace moved to /workspace/."""

import csv
import datetime
import hashlib
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import expect

from applications.models import Dossier, Kind, Level, Organisation, State
from registry.listing import forget_public_list
from registry.models import DocumentRegister, DocumentType, IssuedDocument, IssuingOrgan, PublishedList
from reviews.models import PublicityBatch
from tests.conftest import at, make_dossier
from tests.factories import OrganisationFactory, district

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _view_runs(settings):
    """These tests read the view's context; the whole-page cache (test_public_page_cache.py) answers before it."""
    settings.PUBLIC_PAGE_CACHE = False


ATOM = "{http://www.w3.org/2005/Atom}"


def listed_in_bulk(
    n, *, prefix="深圳市批量", district_code="nanshan", kind=Kind.FACTORY, level=Level.MUNICIPAL, year=2026
):
    """``n`` units on a list, written directly (make_dossier's full path is too slow for a hundred rows)."""
    organisations = Organisation.objects.bulk_create(
        [
            OrganisationFactory.build(name=f"{prefix}{i:03d}号制造有限公司", district=district(district_code))
            for i in range(n)
        ]
    )
    Dossier.objects.bulk_create(
        [
            Dossier(
                organisation=o,
                kind=kind,
                cycle_year=year,
                state=State.LISTED,
                level=level,
                rank=i + 1,
                listed_on=datetime.date(year, 9, 10),
            )
            for i, o in enumerate(organisations)
        ]
    )
    forget_public_list()  # bulk_create sends no signal: drop the cached public pages as an import does


@pytest.fixture
def public_world(world):
    """Org A listed in 2025 (its publicity over, its list published); org B in publicity from 31 Aug 2026."""
    listed = make_dossier(world.org_a, State.LISTED, year=2025)
    in_publicity = make_dossier(world.org_b, State.IN_PUBLICITY, year=2026)
    return listed, in_publicity.publicity_entry.batch


def names(response):
    return [row["name"] for row in response.context["rows"]]


def test_home_is_public_and_shows_publicity_with_working_days_left_and_the_list(client, public_world):
    _listed, batch = public_world
    assert (batch.starts_on, batch.ends_on) == (datetime.date(2026, 8, 31), datetime.date(2026, 9, 4))
    with time_machine.travel(at(2026, 9, 2), tick=False):
        response = client.get("/")
    assert response.status_code == 200
    running = [item for item in response.context["publicity"] if item.status == "running"]
    assert [(item.batch, item.working_days_left, item.provisional) for item in running] == [(batch, 3, False)]
    body = response.content.decode()
    assert batch.title in body and "2026-09-04" in body
    assert names(response) == ["深圳市甲绿色制造有限公司"]
    ended = [item for item in response.context["publicity"] if item.status == "published"]
    assert [item.batch.year for item in ended] == [2025]


def test_a_publicity_in_a_year_without_its_schedule_shows_an_estimate(client, world):
    """第十七条: working days are never guessed; an unloaded year gives a marked estimate, not an error."""
    PublicityBatch.objects.create(
        year=2031,
        title="2031年度公示",
        starts_on=datetime.date(2031, 9, 1),
        ends_on=datetime.date(2031, 9, 5),
        contact="0755-88100000",
        created_by=world.municipal,
    )
    with time_machine.travel(at(2031, 9, 3), tick=False):
        response = client.get(reverse("public_home"))
    assert response.status_code == 200
    [item] = response.context["publicity"]
    assert (item.status, item.working_days_left, item.provisional) == ("running", 3, True)
    assert 'data-testid="provisional"' in response.content.decode()


def test_home_lists_recent_notices_and_links_issued_documents(client, public_world, world):
    listed, batch = public_world
    published = PublishedList.objects.get()
    organ = IssuingOrgan.objects.get(code="city")
    register = DocumentRegister.objects.create(
        organ=organ, document_type=DocumentType.LIST_ANNOUNCEMENT, year=2025, prefix="深工信"
    )
    IssuedDocument.objects.create(
        register=register,
        number=7,
        document_number=register.format(7),
        document_type=DocumentType.LIST_ANNOUNCEMENT,
        organ=organ,
        title=published.title,
        subject_type="registry.publishedlist",
        subject_id=published.pk,
        pdf=b"%PDF-1.7",
        sha256=hashlib.sha256(b"%PDF-1.7").hexdigest(),
        issued_by=world.municipal,
    )
    with time_machine.travel(at(2026, 9, 2), tick=False):
        response = client.get("/")
    notices = [(n.kind, n.title, n.document_number) for n in response.context["notices"]]
    assert notices == [
        ("publicity", batch.title, ""),
        ("list", published.title, "深工信〔2025〕7号"),
        ("publicity", listed.publicity_entry.batch.title, ""),
    ]
    issued = IssuedDocument.objects.get()
    [announcement] = [n for n in response.context["notices"] if n.kind == "list"]
    assert announcement.link == announcement.pdf == reverse("verified_document_pdf", args=[issued.pk])
    assert "深工信〔2025〕7号" in response.content.decode()
    assert client.get(announcement.pdf).content == b"%PDF-1.7"  # the issued bytes, not a new rendering


def test_search_by_name_district_year_kind_and_level(client, public_world):
    listed_in_bulk(2, prefix="深圳市福田园区", district_code="futian", kind=Kind.PARK, level=Level.NATIONAL, year=2024)
    listed_in_bulk(3, prefix="深圳市宝安工厂", district_code="baoan")
    everyone = names(client.get("/"))
    assert len(everyone) == 6
    assert names(client.get("/", {"q": "甲绿色"})) == ["深圳市甲绿色制造有限公司"]
    assert names(client.get("/", {"district": district("futian").pk})) == [
        "深圳市福田园区000号制造有限公司",
        "深圳市福田园区001号制造有限公司",
    ]
    assert names(client.get("/", {"year": "2025"})) == ["深圳市甲绿色制造有限公司"]
    assert len(names(client.get("/", {"kind": Kind.PARK}))) == 2
    assert len(names(client.get("/", {"level": Level.NATIONAL}))) == 2
    combined = names(client.get("/", {"q": "宝安", "year": "2026", "level": "municipal"}))
    assert combined == [f"深圳市宝安工厂{i:03d}号制造有限公司" for i in range(3)]
    # /public/lists/ shares the same search; a value that means nothing filters nothing and breaks nothing.
    assert names(client.get(reverse("public_lists"), {"q": "福田园区"})) == names(
        client.get("/", {"district": district("futian").pk})
    )
    odd = client.get(reverse("public_lists"), {"kind": "spaceship", "district": "x", "page": "zz"})
    assert odd.status_code == 200 and len(names(odd)) == 6


def test_the_list_is_paginated_without_a_cap(client, world):
    listed_in_bulk(120)
    first = client.get(reverse("public_lists"))
    assert (len(names(first)), first.context["page"].paginator.count) == (20, 120)
    assert 'data-testid="list-pages"' in first.content.decode()
    page2 = client.get(reverse("public_lists"), {"page": 2})
    assert names(page2)[0] == "深圳市批量020号制造有限公司"
    last = client.get("/", {"per_page": 50, "page": 3})
    assert names(last) == [f"深圳市批量{i:03d}号制造有限公司" for i in range(100, 120)]
    count_line = re.search(r'data-testid="list-count"[^>]*>(.*?)</p>', client.get("/", {"page": 2}).content.decode())
    assert "120" in count_line.group(1) and "2" in count_line.group(1)
    rows = list(csv.reader(io.StringIO(b"".join(client.get(reverse("open_data_csv")).streaming_content).decode())))
    assert len(rows) == 121


def test_csv_has_a_bom_the_header_and_only_public_fields(client, public_world, world):
    response = client.get(reverse("open_data_csv"))
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == [
        "year",
        "rank",
        "name",
        "district",
        "kind",
        "kind_label",
        "level",
        "listed_on",
        "level_label",
        "list_title",
    ]
    assert rows[1][:4] == ["2025", "1", "深圳市甲绿色制造有限公司", "南山区"]
    assert world.org_a.credit_code not in raw.decode("utf-8-sig")
    legacy = client.get(reverse("public_lists"), {"format": "csv", "district": district("futian").pk})
    assert b"".join(legacy.streaming_content).decode("utf-8-sig").splitlines() == [",".join(rows[0])]


def test_json_follows_its_schema(client, public_world, world):
    listed_in_bulk(3, prefix="深圳市宝安工厂", district_code="baoan", kind=Kind.SUPPLY_CHAIN, level=Level.DISTRICT)
    schema = client.get(reverse("open_data_schema")).json()
    data = client.get(reverse("open_data_json")).json()
    assert set(schema["required"]) <= set(data)
    assert data["schema"] == schema["$id"] == "http://testserver/open-data/schema.json"
    assert (data["count"], data["page"], data["pages"], data["next"]) == (4, 1, 1, None)
    datetime.datetime.fromisoformat(data["generated_at"])
    item_schema = schema["properties"]["items"]["items"]
    python_types = {"integer": int, "string": str, "null": type(None)}
    for item in data["items"]:
        assert set(item) == set(item_schema["required"]) == set(item_schema["properties"])
        for field, rule in item_schema["properties"].items():
            kinds = rule["type"] if isinstance(rule["type"], list) else [rule["type"]]
            assert isinstance(item[field], tuple(python_types[k] for k in kinds)), field
            assert item[field] in rule.get("enum", [item[field]])
    [mine] = [item for item in data["items"] if item["name"] == world.org_a.name]
    assert (mine["year"], mine["rank"], mine["list_title"], mine["level"]) == (2025, 1, "名单", "municipal")
    assert world.org_a.credit_code not in json.dumps(data, ensure_ascii=False)
    filtered = client.get(reverse("open_data_json"), {"q": "甲绿色"}).json()
    assert [i["name"] for i in filtered["items"]] == ["深圳市甲绿色制造有限公司"]


def test_json_pages_link_each_other(client, world, settings):
    from registry import open_data

    listed_in_bulk(5)
    open_data.JSON_PAGE_SIZE, saved = 2, open_data.JSON_PAGE_SIZE
    try:
        first = client.get(reverse("open_data_json")).json()
        second = client.get(first["next"]).json()
    finally:
        open_data.JSON_PAGE_SIZE = saved
    assert (first["count"], first["pages"], len(first["items"])) == (5, 3, 2)
    assert (second["page"], [i["rank"] for i in second["items"]]) == (2, [3, 4])


def test_atom_feed_lists_the_notices(client, public_world):
    _listed, batch = public_world
    response = client.get(reverse("open_data_notices_feed"))
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert len(entries) == 3
    assert any(batch.title in t for t in titles)
    assert any("名单" in t for t in titles)
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == 3


def test_home_and_list_queries_do_not_grow_with_the_rows(client, public_world, django_assert_max_num_queries):
    listed_in_bulk(9)
    with django_assert_max_num_queries(20) as few:
        assert client.get("/").status_code == 200
    listed_in_bulk(50, prefix="深圳市再批")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/")
    assert response.context["page"].paginator.count == 60
    forget_public_list()  # both measured requests below start from an empty cache
    with django_assert_max_num_queries(10) as few_lists:
        client.get(reverse("public_lists"), {"per_page": 50})
    listed_in_bulk(40, prefix="深圳市三批")
    with django_assert_max_num_queries(len(few_lists.captured_queries)):
        client.get(reverse("public_lists"), {"per_page": 50})


def test_the_workspace_moved_and_slash_no_longer_asks_for_a_login(client, world):
    assert client.get("/").status_code == 200
    assert reverse("home") == "/workspace/"
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))
    client.force_login(world.applicant_a)
    workspace = client.get(reverse("home"))
    assert workspace.status_code == 200 and "page" in workspace.context
    home = client.get("/")
    assert home.status_code == 200
    assert f'href="{reverse("home")}" data-testid="workspace-link"' in home.content.decode()
    login = client.post(reverse("login"), {"username": "applicant_a", "password": "x"})
    assert login.status_code in (200, 302)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_home_reads_on_a_desktop_and_on_a_phone(live_server, browser, screens, public_world):
    listed_in_bulk(30)
    with time_machine.travel(at(2026, 9, 2), tick=True):
        wide = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
        wide.goto(f"{live_server.url}/")
        expect(wide.locator("[data-testid=publicity-running]")).to_contain_text("2026-09-04")
        expect(wide.locator("[data-testid=working-days-left]").first).to_contain_text("3")
        screens(wide, "home-1366")
        wide.fill("#f-q", "甲绿色")
        wide.click("[data-testid=search-lists]")
        expect(wide.locator("[data-testid=public-list] tbody tr")).to_have_count(1)
        expect(wide.locator("[data-testid=public-list] tbody")).to_contain_text("深圳市甲绿色制造有限公司")
        screens(wide, "home-searched")

        phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
        phone.goto(f"{live_server.url}/")
        for field in ("q", "year", "district", "kind", "level", "per_page"):
            expect(phone.locator(f"label[for=f-{field}]")).to_have_count(1)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        expect(phone.locator("[data-testid=list-pages]")).to_be_visible()
        screens(phone, "home-390")
