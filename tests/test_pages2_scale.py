"""Issue 13 (pages at 100,000 dossiers): the workspace and rechecks sort on keys first and read the page's rows
by key, in the same order; the open-data CSV is streamed once and then served whole from the public list's
cache (dropped on a removal); the JSON's pages are cached too; the public pages never decode the JSON of every
published list."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import scoping
from applications.models import Dossier, Kind, Level, Organisation, RemovalGround, State
from registry.listing import forget_public_list
from registry.models import Recheck
from registry.services import remove_from_list
from tests.conftest import make_dossier
from tests.factories import OrganisationFactory, district

pytestmark = pytest.mark.django_db


def listed_in_bulk(n, prefix, where="nanshan", state=State.LISTED):
    organisations = Organisation.objects.bulk_create(
        [OrganisationFactory.build(name=f"{prefix}{i:03d}号有限公司", district=district(where)) for i in range(n)]
    )
    made = Dossier.objects.bulk_create(
        Dossier(
            organisation=o,
            kind=Kind.FACTORY,
            cycle_year=2024 + i % 3,
            state=state,
            level=Level.MUNICIPAL,
            rank=i + 1,
            listed_on=datetime.date(2026, 9, 10),
            next_recheck_due=datetime.date(2026, 1, 1) + datetime.timedelta(days=i % 7),
        )
        for i, o in enumerate(organisations)
    )
    forget_public_list()  # bulk_create sends no signal
    return made


def dossier_queries(client, url, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body, [q["sql"] for q in queries.captured_queries if 'FROM "applications_dossier"' in q["sql"]]


def test_workspace_pages_hold_the_rows_of_the_full_ordering(client, world):
    listed_in_bulk(30, "深圳市排序")
    client.force_login(world.municipal)
    everything = list(scoping.dossiers_for(world.municipal).values_list("pk", flat=True))

    shown = []
    for number in (1, 2):
        page = client.get("/workspace/", {"page": number, "per_page": 25}).context["page"]
        shown += [d.pk for d in page]
        assert all(isinstance(d, Dossier) for d in page)

    assert shown == everything  # -cycle_year, organisation name: page after page, nothing lost or repeated


def test_workspace_query_count_does_not_grow(client, world):
    client.force_login(world.municipal)
    listed_in_bulk(3, "深圳市少")
    with CaptureQueriesContext(connection) as few:
        client.get("/workspace/")
    listed_in_bulk(60, "深圳市多")
    with CaptureQueriesContext(connection) as many:
        client.get("/workspace/")
    assert len(many) == len(few)


def test_rechecks_show_each_open_dossier_with_its_own_record(client, world):
    made = listed_in_bulk(4, "深圳市复核", state=State.RECHECKING)
    for d in made[:2]:
        Recheck.objects.create(dossier=d, year=2026, findings=f"发现{d.pk}", proposal=Recheck.Proposal.KEEP)
    Recheck.objects.create(
        dossier=made[3], year=2023, decided_at=timezone.now(), decision=Recheck.Proposal.KEEP, findings="旧的"
    )
    client.force_login(world.officer_nanshan)

    response = client.get("/rechecks/")

    rows = {d.pk: r for d, r in response.context["open_rows"]}
    assert set(rows) == {d.pk for d in made}
    assert rows[made[0].pk].findings == f"发现{made[0].pk}" and rows[made[1].pk].findings == f"发现{made[1].pk}"
    assert rows[made[2].pk] is None and rows[made[3].pk] is None  # a decided recheck is not the open one
    assert [r.dossier_id for r in response.context["decided"]] == [made[3].pk]
    client.force_login(world.officer_futian)
    assert client.get("/rechecks/").context["decided"].paginator.count == 0  # another district sees none


def test_the_csv_is_streamed_once_then_served_from_the_cache(client, districts):
    listed_in_bulk(5, "深圳市开放")

    first, first_queries = dossier_queries(client, "/open-data/lists.csv")
    second, second_queries = dossier_queries(client, "/open-data/lists.csv")
    found, _ = dossier_queries(client, "/open-data/lists.csv", q="开放001")

    assert first_queries and second_queries == []
    assert second == first
    lines = first.decode("utf-8-sig").splitlines()
    assert lines[0] == "year,rank,name,district,kind,kind_label,level,listed_on,level_label,list_title"
    assert len(lines) == 6
    assert "2024,1,深圳市开放000号有限公司,南山区,factory,绿色工厂,municipal,2026-09-10,市级," in lines
    assert found.decode("utf-8-sig").count("\n") == 2  # each search is cached apart


def test_a_removal_leaves_the_cached_csv_and_json_at_once(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        removed = make_dossier(world.org_a, State.LISTED)
        make_dossier(world.org_b, State.LISTED)
    assert world.org_a.name in client.get("/open-data/lists.csv").getvalue().decode()
    assert client.get("/open-data/lists.json").json()["count"] == 2

    with django_capture_on_commit_callbacks(execute=True):
        remove_from_list(removed, ground=RemovalGround.FALSIFIED_DATA, reason="申报数据造假", by=world.municipal)

    assert world.org_a.name not in client.get("/open-data/lists.csv").getvalue().decode()
    body = client.get("/open-data/lists.json").json()
    assert body["count"] == 1 and [i["name"] for i in body["items"]] == [world.org_b.name]


def test_the_json_pages_are_cached(client, districts):
    listed_in_bulk(3, "深圳市接口")
    first, first_queries = dossier_queries(client, "/open-data/lists.json")
    second, second_queries = dossier_queries(client, "/open-data/lists.json")
    assert first_queries and second_queries == []
    assert second == first


@pytest.mark.parametrize("url", ["/", "/public/lists/", "/open-data/notices.atom"])
def test_public_pages_never_read_the_entries_of_published_lists(client, districts, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert not [q for q in queries.captured_queries if '"registry_publishedlist"."entries"' in q["sql"]]
