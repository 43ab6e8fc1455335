"""Issue 13: a list page's total is shared for ``LIST_COUNT_CACHE_SECONDS`` by requests asking the same query
(greenfactory/paging.py ``SharedCountPaginator``); a save through the ORM forgets it once committed, rows written
in bulk show within that time."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.models import Dossier, Kind, State
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def counts(queries):
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT COUNT(*) AS "__count"')]


def total_shown(client, query=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"), query or {})
    return response.context["page"].paginator.count, counts(queries)


def bulk_dossiers(n, state=State.POOLED):
    Dossier.objects.bulk_create(
        [Dossier(organisation=OrganisationFactory(), kind=Kind.FACTORY, cycle_year=2026, state=state) for _ in range(n)]
    )


@pytest.fixture
def shared(settings):
    settings.LIST_COUNT_CACHE_SECONDS = 30


def test_the_same_list_is_counted_once_then_shared(client, world, shared):
    bulk_dossiers(3)
    client.force_login(world.municipal)
    first, first_counts = total_shown(client)
    again, again_counts = total_shown(client)
    assert first == again == 3
    assert len(first_counts) == 1
    assert again_counts == []  # the total came from the cache


def test_rows_written_in_bulk_show_when_the_total_expires(client, world, shared, settings):
    bulk_dossiers(3)
    client.force_login(world.municipal)
    assert total_shown(client)[0] == 3
    bulk_dossiers(2)  # a sweep or an import: no save signal
    assert total_shown(client)[0] == 3
    settings.LIST_COUNT_CACHE_SECONDS = 0
    assert total_shown(client)[0] == 5


def test_a_save_forgets_every_total_once_committed(client, world, shared, django_capture_on_commit_callbacks):
    bulk_dossiers(3)
    client.force_login(world.municipal)
    assert total_shown(client)[0] == 3
    with django_capture_on_commit_callbacks(execute=True):
        Dossier.objects.create(organisation=OrganisationFactory(), kind=Kind.FACTORY, cycle_year=2026)
    total, queries = total_shown(client)
    assert total == 4
    assert len(queries) == 1


def test_each_scope_and_filter_has_its_own_total(client, world, shared):
    bulk_dossiers(3)
    bulk_dossiers(2, State.SUBMITTED)
    client.force_login(world.municipal)
    assert total_shown(client)[0] == 5
    assert total_shown(client, {"state": State.SUBMITTED})[0] == 2
    client.force_login(world.officer_futian)  # the same page, another scope: none of these units are in 福田
    assert total_shown(client)[0] == 0


def test_an_empty_query_counts_nothing(shared):
    from greenfactory.paging import SharedCountPaginator

    bulk_dossiers(2)
    assert SharedCountPaginator(Dossier.objects.none(), 25).count == 0
    assert SharedCountPaginator(Dossier.objects.filter(pk__in=[]), 25).count == 0
    assert SharedCountPaginator(Dossier.objects.all(), 25).count == 2


def ranking_order(client):
    """The ranking's dossier pks as shown, and the ranking queries (its aggregate over final scores) run for it."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("ranking"), {"year": 2026})
    ranked = [row["dossier"].pk for row in response.context["page"].object_list]
    computed = [q["sql"] for q in queries.captured_queries if "ORDER BY (SELECT" in q["sql"]]
    return ranked, computed


def test_the_rankings_order_is_shared_until_a_final_score_is_saved(
    client, world, shared, assign, django_capture_on_commit_callbacks
):
    from decimal import Decimal

    from reviews import expert_review
    from reviews.models import Criterion, Round
    from tests.conftest import make_dossier
    from tests.factories import declare_eligible

    review_round = Round.objects.create(year=2026, kind=Kind.FACTORY, select_count=2)
    energy = Criterion.objects.create(round=review_round, name="能源低碳化", weight=Decimal(100), max_score=100)
    first, second = (OrganisationFactory(name=name) for name in ("深圳市甲排名有限公司", "深圳市乙排名有限公司"))
    for organisation in (first, second):
        declare_eligible(organisation)
    first, second = make_dossier(first, State.IN_REVIEW), make_dossier(second, State.IN_REVIEW)

    def final(dossier, value):
        with django_capture_on_commit_callbacks(execute=True):
            expert_review.submit_final(
                assign(dossier, world.expert), scores={str(energy.pk): value}, declares_no_conflict=True
            )

    final(first, 70)
    client.force_login(world.municipal)
    order, computed = ranking_order(client)
    assert order == [first.pk, second.pk] and len(computed) == 1
    again, computed = ranking_order(client)
    assert again == order and computed == []  # the order came from the cache
    final(second, 90)  # a save commits: the order is read again, and the better score leads
    order, computed = ranking_order(client)
    assert order == [second.pk, first.pk] and len(computed) == 1
