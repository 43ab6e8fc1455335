"""Issue 13: the public list (/ and /public/lists/) is served from the cache after the first request, per
search, page and language, and a publication or a removal shows at once."""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext

from applications.models import Dossier, Kind, Level, Organisation, RemovalGround, State
from registry.listing import forget_public_list
from registry.services import remove_from_list
from tests.conftest import make_dossier
from tests.factories import OrganisationFactory, district

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _rows_cache_only(settings):
    """These tests look at the cached rows inside the view; the whole-page cache (test_public_page_cache.py)
    would answer before the view runs."""
    settings.PUBLIC_PAGE_CACHE = False


def listed_in_bulk(n, prefix):
    organisations = Organisation.objects.bulk_create(
        [OrganisationFactory.build(name=f"{prefix}{i:03d}号有限公司", district=district("nanshan")) for i in range(n)]
    )
    Dossier.objects.bulk_create(
        Dossier(
            organisation=o,
            kind=Kind.FACTORY,
            cycle_year=2026,
            state=State.LISTED,
            level=Level.MUNICIPAL,
            rank=i + 1,
            listed_on=datetime.date(2026, 9, 10),
        )
        for i, o in enumerate(organisations)
    )
    forget_public_list()  # bulk_create sends no signal


def dossier_queries(client, url, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return response, [q["sql"] for q in queries.captured_queries if 'FROM "applications_dossier"' in q["sql"]]


def names(response):
    return [row["name"] for row in response.context["rows"]]


@pytest.mark.parametrize("url", ["/", "/public/lists/"])
def test_the_second_request_reads_no_dossier_from_the_database(client, districts, url):
    listed_in_bulk(3, "深圳市缓存")

    first, first_queries = dossier_queries(client, url)
    second, second_queries = dossier_queries(client, url)

    assert len(first_queries) >= 2  # the count and the page's rows (and the years of the search form)
    assert second_queries == []
    assert names(second) == names(first) == [f"深圳市缓存{i:03d}号有限公司" for i in range(3)]
    assert second.context["page"].paginator.count == 3


def test_each_search_page_and_language_is_cached_apart(client, districts):
    listed_in_bulk(25, "深圳市分页")
    page_1 = client.get("/public/lists/")
    page_2 = client.get("/public/lists/", {"page": 2})
    found = client.get("/public/lists/", {"q": "分页001"})

    assert len(names(page_1)) == 20 and len(names(page_2)) == 5
    assert set(names(page_1)).isdisjoint(names(page_2))
    assert names(found) == ["深圳市分页001号有限公司"]
    assert client.get("/public/lists/", {"page": 2}).context["page"].number == 2
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/public/lists/")
    assert english.context["rows"][0]["kind_label"] == "Green factory"
    assert page_1.context["rows"][0]["kind_label"] == "绿色工厂"


def test_rows_are_built_from_values_not_model_instances(client, districts):
    listed_in_bulk(5, "深圳市值")
    built = []

    def count(sender, **kwargs):
        built.append(sender)

    post_init.connect(count, sender=Dossier)
    try:
        response = client.get("/public/lists/")
    finally:
        post_init.disconnect(count, sender=Dossier)

    assert built == []
    assert response.context["rows"][0] == {
        "year": 2026,
        "rank": 1,
        "name": "深圳市值000号有限公司",
        "district": "南山区",
        "district_id": district("nanshan").pk,
        "kind": "factory",
        "kind_label": "绿色工厂",
        "level": "municipal",
        "level_label": "市级",
        "listed_on": "2026-09-10",
        "list_title": None,
    }


def test_a_publication_shows_at_once(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_dossier(world.org_a, State.LISTED)
    assert names(client.get("/public/lists/")) == [world.org_a.name]

    with django_capture_on_commit_callbacks(execute=True):
        make_dossier(world.org_b, State.LISTED)

    assert sorted(names(client.get("/public/lists/"))) == sorted([world.org_a.name, world.org_b.name])
    assert sorted(names(client.get("/"))) == sorted([world.org_a.name, world.org_b.name])


def test_a_removal_shows_at_once(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        removed = make_dossier(world.org_a, State.LISTED)
        make_dossier(world.org_b, State.LISTED)
    assert len(names(client.get("/"))) == 2

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        remove_from_list(removed, ground=RemovalGround.FALSIFIED_DATA, reason="申报数据造假", by=world.municipal)

    assert callbacks  # the cache is dropped after the commit, not before
    assert names(client.get("/")) == [world.org_b.name]
    assert names(client.get("/public/lists/")) == [world.org_b.name]


def test_a_renamed_unit_shows_at_once(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_dossier(world.org_a, State.LISTED)
    client.get("/public/lists/")

    with django_capture_on_commit_callbacks(execute=True):
        world.org_a.name = "深圳市新名称制造有限公司"
        world.org_a.save()

    assert names(client.get("/public/lists/")) == ["深圳市新名称制造有限公司"]


@pytest.mark.parametrize("url", ["/", "/public/lists/"])
def test_queries_do_not_grow_with_the_rows(client, districts, url):
    listed_in_bulk(4, "深圳市小")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    with CaptureQueriesContext(connection) as few_cached:
        client.get(url)
    listed_in_bulk(60, "深圳市大")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, {"per_page": 50})
    with CaptureQueriesContext(connection) as many_cached:
        client.get(url, {"per_page": 50})

    assert response.context["page"].paginator.count == 64
    assert len(many) == len(few)
    assert len(many_cached) == len(few_cached) < len(few)


def test_a_bulk_transition_without_signals_shows_at_once(client, districts):
    from applications.models import TransitionLog

    listed_in_bulk(2, "深圳市批量移出")
    assert len(names(client.get("/public/lists/"))) == 2
    gone = Dossier.objects.order_by("rank").first()

    # As the chunked sweeps and imports do: a queryset update and a bulk-created log row, no post_save.
    Dossier._base_manager.filter(pk=gone.pk).update(state=State.REMOVED)
    TransitionLog.objects.bulk_create(
        [TransitionLog(dossier=gone, transition="remove", from_state=State.LISTED, to_state=State.REMOVED)]
    )

    assert names(client.get("/public/lists/")) == ["深圳市批量移出001号有限公司"]
