"""Issue 13: every HTML list page is paginated and makes the same number of queries for 3 rows or 33.

One table of list pages: (url name, who opens it, query string, the context key of its page, the page's
parameter, how to make N more rows). For each, the query count is taken with a few rows and again with ten
times as many (it must not grow), and the page links lead to a second page holding the rest.
"""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from applications.credit_code import example_code
from applications.models import (
    Agency,
    AgencyFlag,
    AnnualChange,
    AnnualReport,
    Dossier,
    Kind,
    Level,
    Organisation,
    PoolRequest,
    State,
)
from applications.models.guards import open_cycle_year
from registry.models import NationalImport, NationalListing, NationalRecommendation, Recheck, Report
from reviews.models import ExpertAssignment, PublicityBatch, PublicityEntry, Review
from tests.factories import district

YEAR = 2026
SERIAL = itertools.count(50_000)


@pytest.fixture(autouse=True)
def _views_run(settings, no_deferred_loads):
    """These tests count the views' queries; the whole-page cache for anonymous visitors (registry/page_cache.py,
    tests/test_public_page_cache.py) would answer before the view. A column a page's rows left out and then
    read fails the test (``no_deferred_loads``)."""
    settings.PUBLIC_PAGE_CACHE = False


def organisations(n, where="nanshan"):
    rows = []
    for _i in range(n):
        serial = next(SERIAL)
        rows.append(
            Organisation(
                credit_code=example_code(serial), name=f"深圳市规模{serial}号有限公司", district=district(where)
            )
        )
    return Organisation.objects.bulk_create(rows)


def dossiers(n, state, *, kind=Kind.FACTORY, year=YEAR, where="nanshan", **fields):
    made = [Dossier(organisation=o, kind=kind, cycle_year=year, state=state, **fields) for o in organisations(n, where)]
    return Dossier.objects.bulk_create(made)


# How to make N more rows of each list ------------------------------------------------------------------


def make_dossiers(state, **fields):
    return lambda world, n: dossiers(n, state, **fields)


def make_in_review(world, n):
    made = dossiers(n, State.IN_REVIEW)
    assignments = ExpertAssignment.objects.bulk_create(
        [ExpertAssignment(dossier=d, expert=e) for d in made for e in (world.expert, world.expert2)]
    )
    Review.objects.bulk_create(
        [Review(assignment=a, scores={}, total=80, finalised_at=timezone.now()) for a in assignments[::2]]
    )


def make_assignments(world, n):
    made = dossiers(n, State.IN_REVIEW)
    ExpertAssignment.objects.bulk_create([ExpertAssignment(dossier=d, expert=world.expert) for d in made])


def make_done_assignments(world, n):
    made = dossiers(n, State.IN_REVIEW)
    assignments = ExpertAssignment.objects.bulk_create([ExpertAssignment(dossier=d, expert=world.expert) for d in made])
    Review.objects.bulk_create(
        [Review(assignment=a, scores={}, total=75, finalised_at=timezone.now()) for a in assignments]
    )


def the_batch(world):
    batch = PublicityBatch.objects.first()
    if batch is None:
        today = timezone.localdate()
        batch = PublicityBatch.objects.create(
            year=YEAR, title="公示", starts_on=today, ends_on=today, contact="0755", created_by=world.municipal
        )
    return batch


def make_entries(world, n):
    batch = the_batch(world)
    start = batch.entries.count()
    made = dossiers(n, State.IN_PUBLICITY)
    PublicityEntry.objects.bulk_create(
        [PublicityEntry(batch=batch, dossier=d, position=start + i) for i, d in enumerate(made, start=1)]
    )


def make_batches(world, n):
    today = timezone.localdate()
    PublicityBatch.objects.bulk_create(
        [
            PublicityBatch(
                year=YEAR, title=f"公示{i}", starts_on=today, ends_on=today, contact="0755", created_by=world.municipal
            )
            for i in range(n)
        ]
    )


def make_pool_requests(world, n):
    PoolRequest.objects.bulk_create(
        [
            PoolRequest(organisation=o, kind=Kind.FACTORY, cycle_year=YEAR, requested_by=world.applicant_a)
            for o in organisations(n)
        ]
    )


def make_recommended(world, n):
    made = dossiers(n, State.LISTED, year=YEAR - 1)
    NationalRecommendation.objects.bulk_create(
        [NationalRecommendation(dossier=d, year=YEAR, recommended_by=world.municipal) for d in made]
    )


def make_open_rechecks(world, n):
    made = dossiers(n, State.RECHECKING, level=Level.MUNICIPAL)
    Recheck.objects.bulk_create([Recheck(dossier=d, year=YEAR, proposal="keep", findings="合格") for d in made])


def make_due_rechecks(world, n):
    dossiers(n, State.LISTED, level=Level.MUNICIPAL, next_recheck_due=timezone.localdate())


def make_decided_rechecks(world, n):
    made = dossiers(n, State.LISTED, level=Level.MUNICIPAL)
    Recheck.objects.bulk_create(
        [
            Recheck(dossier=d, year=YEAR, decision="keep", decided_at=timezone.now(), decided_by=world.municipal)
            for d in made
        ]
    )


def annual_reports(n, year):
    made = dossiers(n, State.LISTED, level=Level.MUNICIPAL)
    return AnnualReport.objects.bulk_create(
        [AnnualReport(dossier=d, year=year, due_on=datetime.date(year, 3, 15), flags=[{"name": "能耗"}]) for d in made]
    )


def make_annual(world, n):
    annual_reports(n, timezone.localdate().year)


def make_changes(status):
    def make(world, n):
        reports = annual_reports(n, YEAR)
        decided = {"decided_at": timezone.now()} if status != AnnualChange.Status.PROPOSED else {}
        AnnualChange.objects.bulk_create(
            [AnnualChange(report=r, field="name", new_value="新名称", status=status, **decided) for r in reports]
        )

    return make


def make_reports(world, n):
    Report.objects.bulk_create(
        [
            Report(
                organisation=o,
                district=o.district,
                reporter_name="张三",
                reporter_contact="13800000000",
                content="举报",
            )
            for o in organisations(n)
        ]
    )


def make_listings(world, n):
    NationalListing.objects.bulk_create(
        [NationalListing(year=YEAR, kind=Kind.FACTORY, organisation=o, name_in_list=o.name) for o in organisations(n)]
    )


def make_imports(world, n):
    NationalImport.objects.bulk_create(
        [
            NationalImport(
                year=YEAR,
                kind=Kind.FACTORY,
                filename=f"{i}.xlsx",
                digest=f"{next(SERIAL)}",
                imported_by=world.municipal,
            )
            for i in range(n)
        ]
    )


def make_notifications(world, n):
    Notification.objects.bulk_create([Notification(recipient=world.municipal, title=f"通知{i}") for i in range(n)])


def make_agencies(world, n):
    made = Agency.objects.bulk_create(
        [
            Agency(name=f"深圳市规模{next(SERIAL)}评价有限公司", credit_code=example_code(next(SERIAL)))
            for _i in range(n)
        ]
    )
    AgencyFlag.objects.bulk_create(
        [
            AgencyFlag(agency=a, district=district("nanshan"), reason="报告粗糙", flagged_by=world.officer_nanshan)
            for a in made
        ]
    )


def recommendation_year():
    return open_cycle_year(timezone.localdate())


def make_candidates(world, n):
    dossiers(n, State.SUBMITTED, year=recommendation_year(), district_ready_at=timezone.now())


# (id, url name, args of the url, who, query string, context key, page parameter, per_page, maker) --------------

CITY, NANSHAN, EXPERT = "municipal", "officer_nanshan", "expert"
PAGES = [
    ("home", "home", None, CITY, "", "page", "page", 25, make_dossiers(State.SUBMITTED)),
    ("pool", "district_pool", None, NANSHAN, "", "pooled", "page", 25, make_dossiers(State.POOLED)),
    ("pool-requests", "district_pool", None, NANSHAN, "", "requests", "requests", 25, make_pool_requests),
    ("district-queue", "district_queue", None, NANSHAN, "", "page", "page", 25, make_dossiers(State.SUBMITTED)),
    ("recommendation", "district_batch", None, NANSHAN, "", "candidates", "page", 200, make_candidates),
    ("conformity", "conformity_queue", None, CITY, "", "dossiers", "page", 25, make_dossiers(State.RECOMMENDED)),
    (
        "board-library",
        "review_board",
        None,
        CITY,
        f"year={YEAR}&kind=factory",
        "library",
        "lp",
        25,
        make_dossiers(State.IN_LIBRARY),
    ),
    ("board-review", "review_board", None, CITY, f"year={YEAR}&kind=factory", "in_review", "rp", 25, make_in_review),
    ("ranking", "ranking", None, CITY, f"year={YEAR}&kind=factory", "page", "page", 25, make_in_review),
    ("publicity-batches", "publicity_batches", None, CITY, "", "batches", "page", 25, make_batches),
    ("publicity-entries", "publicity_batch", "batch", CITY, "", "entries", "page", 25, make_entries),
    ("public-publicity", "public_publicity_list", None, None, "", "batches", "page", 25, make_batches),
    (
        "nominated",
        "nominations",
        None,
        CITY,
        f"year={YEAR}",
        "nominated",
        "nominated",
        25,
        make_dossiers(State.NOMINATED, kind=Kind.PARK),
    ),
    ("recommended", "nominations", None, CITY, f"year={YEAR}", "recommended", "recommended", 25, make_recommended),
    ("rechecks-open", "rechecks", None, CITY, "", "rows", "open", 25, make_open_rechecks),
    ("rechecks-open-district", "rechecks", None, NANSHAN, "", "rows", "open", 25, make_open_rechecks),
    ("rechecks-due", "rechecks", None, CITY, "", "due", "due", 25, make_due_rechecks),
    ("rechecks-decided", "rechecks", None, CITY, "", "decided", "decided", 25, make_decided_rechecks),
    ("annual", "annual_list", None, CITY, "", "reports", "page", 25, make_annual),
    ("annual-district", "annual_list", None, NANSHAN, "", "reports", "page", 25, make_annual),
    (
        "changes-proposed",
        "city_changes",
        None,
        CITY,
        "",
        "proposed",
        "page",
        25,
        make_changes(AnnualChange.Status.PROPOSED),
    ),
    (
        "changes-decided",
        "city_changes",
        None,
        CITY,
        "",
        "decided",
        "decided",
        25,
        make_changes(AnnualChange.Status.APPROVED),
    ),
    ("city-reports", "city_reports", None, CITY, "", "reports", "page", 25, make_reports),
    ("district-reports", "district_reports", None, NANSHAN, "", "reports", "page", 25, make_reports),
    ("national-listings", "national", None, CITY, "", "listings", "page", 25, make_listings),
    ("national-imports", "national", None, CITY, "", "imports", "imports", 25, make_imports),
    ("inbox", "inbox", None, CITY, "", "page", "page", 25, make_notifications),
    ("expert-pending", "expert_assignments", None, EXPERT, "", "pending", "pending", 25, make_assignments),
    ("expert-done", "expert_assignments", None, EXPERT, "", "done", "done", 25, make_done_assignments),
    ("agencies", "agency_list", None, CITY, "", "page", "page", 25, make_agencies),
    ("agencies-district", "agency_list", None, NANSHAN, "", "page", "page", 25, make_agencies),
]
CASES = [pytest.param(*case[1:], id=case[0]) for case in PAGES]


def url_of(world, name, args, query=""):
    path = reverse(name, args=[the_batch(world).pk]) if args == "batch" else reverse(name)
    return f"{path}?{query}" if query else path


def open_page(client, url, *, sql=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    if sql is not None:
        sql.extend(q["sql"] for q in queries.captured_queries)
    return response, len(queries)


def signed_in(client, world, who):
    if who is not None:
        client.force_login(getattr(world, who))
    return client


@pytest.mark.parametrize(("name", "args", "who", "query", "key", "param", "per_page", "make"), CASES)
def test_query_count_does_not_grow_with_rows(client, world, name, args, who, query, key, param, per_page, make):
    signed_in(client, world, who)
    make(world, 3)
    url = url_of(world, name, args, query)
    open_page(client, url)  # warm the per-process caches (content types, sites) out of the count
    small_sql, large_sql = [], []
    small, small_count = open_page(client, url, sql=small_sql)
    make(world, 30)
    large, large_count = open_page(client, url, sql=large_sql)
    assert large.context[key].paginator.count == small.context[key].paginator.count + 30
    assert large_count == small_count, "\n".join(sql[:300] for sql in large_sql[-3:])


@pytest.mark.parametrize(("name", "args", "who", "query", "key", "param", "per_page", "make"), CASES)
def test_list_is_paginated_with_its_filters_kept(client, world, name, args, who, query, key, param, per_page, make):
    signed_in(client, world, who)
    make(world, per_page + 5)
    base = url_of(world, name, args, query)
    sized = f"{base}{'&' if '?' in base else '?'}per_page={per_page}"
    first, _count = open_page(client, sized)
    page = first.context[key]
    total = page.paginator.count
    assert len(page.object_list) == per_page
    assert total > per_page
    html = first.content.decode()
    assert f"{param}=2" in html  # a link to the second page, built from this request's own query string
    if query:
        assert query.split("&")[0] in html.split(f"{param}=2")[0].rsplit('href="', 1)[-1]
    second, _count = open_page(client, f"{sized}&{param}=2")
    rest = second.context[key]
    assert rest.number == 2
    assert len(rest.object_list) == total - per_page


def test_silent_caps_are_gone_from_the_conformity_queue(client, world):
    """It showed the first 200 and said nothing; now every recommended dossier is one page link away."""
    client.force_login(world.municipal)
    dossiers(230, State.RECOMMENDED)
    page = client.get(reverse("conformity_queue") + "?per_page=200").context["dossiers"]
    assert (page.paginator.count, page.paginator.num_pages) == (230, 2)


def test_the_rechecks_page_shows_25_rows_of_each_list_unless_asked(client, world):
    """Three lists on one page (open, due, decided): 25 rows of each by default, the page-size links for more."""
    client.force_login(world.municipal)
    make_open_rechecks(world, 30)
    make_due_rechecks(world, 30)
    make_decided_rechecks(world, 30)
    context = client.get(reverse("rechecks")).context
    assert [len(context[key].object_list) for key in ("rows", "due", "decided")] == [25, 25, 25]
    assert [size for size, _query, current in context["due"].size_links if current] == [25]
    context = client.get(reverse("rechecks") + "?per_page=50").context
    assert [len(context[key].object_list) for key in ("rows", "due", "decided")] == [30, 30, 30]


def test_ranking_page_holds_the_preselected_top(client, world):
    """The top ``select_count`` rows are preselected for the publicity: the page never splits them."""
    from reviews.models import Round

    client.force_login(world.municipal)
    Round.objects.update_or_create(year=YEAR, kind=Kind.FACTORY, defaults={"select_count": 40})
    make_in_review(world, 45)
    page = client.get(reverse("ranking") + f"?year={YEAR}&kind=factory&per_page=25").context["page"]
    assert len(page.object_list) == 40
    assert [row["position"] for row in page.object_list] == list(range(1, 41))


def test_review_board_opens_the_ticked_dossiers_of_the_page(client, world):
    client.force_login(world.municipal)
    made = dossiers(30, State.IN_LIBRARY)
    url = reverse("review_board") + f"?year={YEAR}&kind=factory&per_page=25&lp=2"
    page = client.get(url).context["library"]
    ticked = [d.pk for d in page.object_list]
    response = client.post(url, {"dossiers": ticked, "open": "1"})
    assert response.status_code == 302 and response["Location"] == url
    opened = set(
        Dossier.objects.filter(pk__in=[d.pk for d in made], state=State.IN_REVIEW).values_list("pk", flat=True)
    )
    assert opened == set(ticked)


def test_dashboard_counts_with_a_constant_number_of_queries(client, world):
    client.force_login(world.municipal)
    dossiers(3, State.LISTED, level=Level.MUNICIPAL)
    dossiers(2, State.RECHECKING, level=Level.NATIONAL, where="futian")
    client.get(reverse("dashboard"))
    _small, small_count = open_page(client, reverse("dashboard"))
    dossiers(30, State.LISTED, level=Level.MUNICIPAL)
    dossiers(7, State.REMOVED, level=Level.MUNICIPAL)  # a removed unit is on no list
    large, large_count = open_page(client, reverse("dashboard"))
    assert large_count == small_count
    table = {d.name: values for d, values in large.context["table"]}
    labels = large.context["labels"]
    assert table["南山区"][labels.index("绿色工厂·市级")] == 33
    assert table["福田区"][labels.index("绿色工厂·国家级")] == 2
    assert large.context["totals"][labels.index("绿色工厂·市级")] == 33


def test_district_dashboard_counts_its_own_district_only(client, world):
    client.force_login(world.officer_nanshan)
    dossiers(4, State.LISTED, level=Level.MUNICIPAL)
    dossiers(5, State.LISTED, level=Level.MUNICIPAL, where="futian")
    page = client.get(reverse("dashboard"))
    assert [(d.name, sum(values)) for d, values in page.context["table"]] == [("南山区", 4)]


def test_page_size_links_keep_the_filters(client, world):
    client.force_login(world.municipal)
    dossiers(30, State.RECOMMENDED)
    html = client.get(reverse("conformity_queue") + "?state=recommended&per_page=25&page=2").content.decode()
    assert "state=recommended&amp;per_page=50" in html
    assert "per_page=50&amp;page=" not in html  # a new size starts again at the first page


@pytest.mark.postgres
def test_organisation_names_have_a_trigram_index(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'applications_org_name_trgm'")
        (definition,) = cursor.fetchone()
    assert "USING gin (upper((name)::text) gin_trgm_ops)" in definition


@pytest.mark.postgres
def test_name_search_can_use_the_trigram_index(world):
    """Django's icontains is UPPER(name) LIKE UPPER(…): the expression index answers it (the other scans off,
    so the plan does not depend on the table's size or statistics)."""
    organisations(50)
    query = Organisation.objects.filter(name__icontains="规模5001").values("pk")
    with connection.cursor() as cursor:
        for scan in ("enable_seqscan", "enable_indexscan", "enable_indexonlyscan"):  # a bitmap scan is left
            cursor.execute(f"SET LOCAL {scan} = off")
        sql, params = query.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "applications_org_name_trgm" in plan
