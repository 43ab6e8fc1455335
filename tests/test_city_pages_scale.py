"""Issue 13: the city's review pages at province scale — the ranking ordered by the database (the same
order, ties and numbers as the Python computation it replaced), its export streamed, the nominations page
searching the listed factories instead of listing them all, the review board building only its pages."""

import itertools
import random
import statistics
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from io import BytesIO

import openpyxl
import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from applications.credit_code import example_code
from applications.models import Dossier, Kind, Organisation, State
from registry.models import NationalRecommendation
from reviews import expert_review
from reviews.models import Criterion, ExpertAssignment, PublicityBatch, Review, Round
from reviews.views import municipal
from tests.factories import UserFactory, district

pytestmark = pytest.mark.django_db
YEAR = 2026
SERIAL = itertools.count(70_000)
TWO_PLACES = Decimal("0.01")


def dossiers(n, state=State.IN_REVIEW, *, names=None, kind=Kind.FACTORY, where="nanshan"):
    orgs = Organisation.objects.bulk_create(
        [
            Organisation(
                credit_code=example_code(serial),
                name=names[i] if names else f"深圳市城市{serial}号有限公司",
                district=district(where),
            )
            for i, serial in zip(range(n), SERIAL, strict=False)
        ]
    )
    return Dossier.objects.bulk_create([Dossier(organisation=o, kind=kind, cycle_year=YEAR, state=state) for o in orgs])


# ---- the ranking as it was computed before issue 13 (in Python, every row), kept as the reference ---------


def previous_aggregate(values, method):
    if not values:
        return None
    value = statistics.median(values) if method == Round.Aggregation.MEDIAN else statistics.fmean(values)
    return Decimal(str(value)).quantize(TWO_PLACES, ROUND_HALF_UP)


def exact_aggregate(values, method):
    """The same figure in exact arithmetic: it differs from ``previous_aggregate`` only where the mean ends in
    exactly half a cent and the float ``fmean`` fell just below it (64.665 → 64.66 instead of 64.67)."""
    if not values:
        return None
    value = statistics.median(values) if method == Round.Aggregation.MEDIAN else Fraction(sum(values)) / len(values)
    return (Decimal(value.numerator) / Decimal(value.denominator) if isinstance(value, Fraction) else value).quantize(
        TWO_PLACES, ROUND_HALF_UP
    )


def check_figure(now, before, values, method):
    """The new figure is the previous one, or — at an exact half cent the float rounded down — one cent more."""
    assert now == exact_aggregate(values, method)
    if now != before:
        assert method == Round.Aggregation.MEAN and now - before == TWO_PLACES
        assert (Fraction(sum(values)) / len(values) * 1000).denominator == 1  # ends in exactly half a cent
        return 1
    return 0


def previous_ranking(year, kind):
    review_round = expert_review.round_for(year, kind)
    method = review_round.aggregation if review_round else Round.Aggregation.MEAN
    criteria = list(review_round.criteria.all()) if review_round else []
    dossiers = Dossier.objects.filter(cycle_year=year, kind=kind, state__in=(State.IN_REVIEW,)).select_related(
        "organisation__district"
    )
    reviews = (
        Review.objects.final()
        .filter(assignment__dossier__in=dossiers, assignment__conflict_declared=False)
        .select_related("assignment")
    )
    by_dossier = {}
    for review in reviews:
        by_dossier.setdefault(review.assignment.dossier_id, []).append(review)
    rows = []
    for dossier in dossiers.order_by("-cycle_year", "organisation__name", "pk"):
        mine = by_dossier.get(dossier.pk, [])
        per_criterion = {
            c.pk: previous_aggregate([Decimal(r.scores[str(c.pk)]) for r in mine if str(c.pk) in r.scores], method)
            for c in criteria
        }
        rows.append(
            {
                "pk": dossier.pk,
                "aggregate": previous_aggregate([r.total for r in mine], method),
                "criteria": per_criterion,
                "count": len(mine),
                # For the comparison: the values each figure is made of.
                "totals": [r.total for r in mine],
                "scores": {
                    c.pk: [Decimal(r.scores[str(c.pk)]) for r in mine if str(c.pk) in r.scores] for c in criteria
                },
            }
        )
    rows.sort(
        key=lambda r: (
            r["aggregate"] is None,
            -(r["aggregate"] or 0),
            Dossier.objects.get(pk=r["pk"]).organisation.name,
        )
    )
    return rows


@pytest.fixture
def scored(world):
    """40 dossiers under review, 0–5 experts each, final and draft reviews, a declared conflict, equal
    names and equal aggregates (the ties rule), scores with and without decimals."""
    rng = random.Random(13)
    review_round = Round.objects.create(year=YEAR, kind=Kind.FACTORY, select_count=5)
    energy = Criterion.objects.create(round=review_round, name="能源", weight=Decimal(60), max_score=100, order=1)
    water = Criterion.objects.create(round=review_round, name="资源", weight=Decimal(40), max_score=50, order=2)
    experts = [UserFactory(username=f"ranking_expert{i}", role="expert") for i in range(5)]
    names = [f"深圳市{rng.choice('甲乙丙丁戊')}{rng.randrange(8)}科技有限公司" for _ in range(40)]
    made = dossiers(40, names=names)
    for index, dossier in enumerate(made):
        for position, expert in enumerate(experts[: rng.randrange(6)]):
            assignment = ExpertAssignment.objects.create(
                dossier=dossier, expert=expert, conflict_declared=(index % 11 == 3 and position == 0)
            )
            if index % 7 == 0:  # the same scores: equal aggregates, ordered by name
                marks = {str(energy.pk): "80", str(water.pk): "40"}
            else:
                marks = {
                    str(energy.pk): str(rng.choice([rng.randrange(101), round(rng.uniform(0, 100), 2)])),
                    str(water.pk): str(rng.choice([rng.randrange(51), round(rng.uniform(0, 50), 1)])),
                }
            final = rng.random() < 0.8
            Review.objects.create(
                assignment=assignment,
                scores=marks,
                total=expert_review.weighted_total([energy, water], marks),
                finalised_at=timezone.now() if final else None,
            )
    return review_round, energy, water


@pytest.mark.parametrize("method", [Round.Aggregation.MEAN, Round.Aggregation.MEDIAN])
def test_the_database_orders_the_ranking_as_python_did(scored, method):
    review_round, energy, water = scored
    Round.objects.filter(pk=review_round.pk).update(aggregation=method)
    before = previous_ranking(YEAR, Kind.FACTORY)
    assert len({r["aggregate"] for r in before}) < len(before) - 5  # there are ties to break
    now = expert_review.ranking(YEAR, Kind.FACTORY)["rows"]
    # The same order (ties by name), the same counts, the same figures.
    assert [(r["dossier"].pk, r["count"]) for r in now] == [(r["pk"], r["count"]) for r in before]
    artefacts = 0
    for new, old in zip(now, before, strict=True):
        artefacts += check_figure(new["aggregate"], old["aggregate"], old["totals"], method)
        for criterion in (energy, water):
            values = old["scores"][criterion.pk]
            artefacts += check_figure(new["criteria"][criterion.pk], old["criteria"][criterion.pk], values, method)
    assert artefacts <= 2
    # Each page is the same slice of the same order.
    setup = expert_review.ranking_setup(YEAR, Kind.FACTORY)
    pks = expert_review.ranked_pks(YEAR, Kind.FACTORY, setup=setup)
    assert list(pks[10:20]) == [r["pk"] for r in before[10:20]]
    # A criterion's order is the rank order re-sorted (stably) by that criterion's aggregate.
    for criterion in (energy, water):
        expected = sorted(
            before, key=lambda r: (r["criteria"][criterion.pk] is None, -(r["criteria"][criterion.pk] or 0))
        )
        got = expert_review.ranked_pks(YEAR, Kind.FACTORY, setup=setup, order=f"c{criterion.pk}")
        assert got == [r["pk"] for r in expected]


def test_the_database_rounds_the_mean_half_up_to_the_cent(world):
    """(80.01 + 80.02) / 2 = 80.015 → 80.02 and (80.00 + 80.00 + 80.01 + 80.01) / 4 = 80.005 → 80.01, as the
    page shows them; equal aggregates by name; no final review last."""
    Round.objects.create(year=YEAR, kind=Kind.FACTORY)
    experts = [UserFactory(username=f"rounding_expert{i}", role="expert") for i in range(4)]
    halves, quarters, none, twin = dossiers(4, names=["丙公司", "乙公司", "甲公司", "丁公司"])
    cases = ((halves, ["80.01", "80.02"]), (quarters, ["80.00", "80.00", "80.01", "80.01"]), (twin, ["80.02"]))
    for dossier, totals in cases:
        for expert, total in zip(experts, totals, strict=False):
            assignment = ExpertAssignment.objects.create(dossier=dossier, expert=expert)
            Review.objects.create(assignment=assignment, scores={}, total=Decimal(total), finalised_at=timezone.now())
    rows = expert_review.ranking(YEAR, Kind.FACTORY)["rows"]
    assert [(r["dossier"].pk, r["aggregate"]) for r in rows] == [
        (twin.pk, Decimal("80.02")),  # 丁 U+4E01 before 丙 U+4E19
        (halves.pk, Decimal("80.02")),
        (quarters.pk, Decimal("80.01")),
        (none.pk, None),
    ]


# ---- the ranking page and its export ------------------------------------------------------------------


def opened(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response, len(queries)


def test_the_ranking_page_builds_its_page_only_whatever_the_order(client, world, scored):
    _round, energy, _water = scored
    client.force_login(world.municipal)
    built = []

    def count(sender, **kwargs):
        built.append(sender)

    post_init.connect(count, sender=Dossier)
    try:
        for order in ("", "name", f"c{energy.pk}"):
            url = reverse("ranking") + f"?year={YEAR}&kind=factory&per_page=25&order={order}"
            client.get(url)  # warm the per-process caches
            built.clear()
            small, small_count = opened(client, url)
            assert len(built) == 25  # the dossiers of the page shown, not the 40 of the ranking
            dossiers(30)
            large, large_count = opened(client, url)
            assert large.context["page"].paginator.count == small.context["page"].paginator.count + 30
            assert large_count == small_count
    finally:
        post_init.disconnect(count, sender=Dossier)


def test_the_ranking_page_shows_the_rows_in_the_database_order(client, world, scored):
    client.force_login(world.municipal)
    before = previous_ranking(YEAR, Kind.FACTORY)
    second = client.get(reverse("ranking") + f"?year={YEAR}&kind=factory&per_page=25&page=2").context["page"]
    assert [row["dossier"].pk for row in second.object_list] == [r["pk"] for r in before[25:]]
    assert [row["position"] for row in second.object_list] == list(range(26, len(before) + 1))


def test_the_ranking_export_is_streamed_in_the_page_order(client, world, scored, monkeypatch):
    from applications import spreadsheets

    modes = []

    class Recording(openpyxl.Workbook):
        def __init__(self, *args, **kwargs):
            modes.append(kwargs.get("write_only", False))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(spreadsheets, "Workbook", Recording)
    monkeypatch.setattr(municipal, "CHUNK_ROWS", 7)  # several chunks, each with its reviews
    _round, energy, water = scored
    client.force_login(world.municipal)
    built = []

    def count(sender, **kwargs):
        built.append(sender)

    post_init.connect(count, sender=Dossier)
    try:
        response = client.get(reverse("ranking"), {"year": YEAR, "kind": "factory", "format": "xlsx"})
    finally:
        post_init.disconnect(count, sender=Dossier)
    assert response.status_code == 200 and modes == [True] and built == []
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    before = previous_ranking(YEAR, Kind.FACTORY)
    names = {d.pk: d.organisation.name for d in Dossier.objects.select_related("organisation")}
    assert [row[:2] for row in rows[1:]] == [(i, names[r["pk"]]) for i, r in enumerate(before, start=1)]
    now = {row["dossier"].pk: row for row in expert_review.ranking(YEAR, Kind.FACTORY)["rows"]}
    for row, old in zip(rows[1:], before, strict=True):
        figures = now[old["pk"]]
        figures = [figures["aggregate"], figures["criteria"][energy.pk], figures["criteria"][water.pk]]
        assert row[3:] == (*(float(v) if v is not None else None for v in figures), old["count"])
    order = f"c{water.pk}"
    by_criterion = client.get(reverse("ranking"), {"year": YEAR, "kind": "factory", "format": "xlsx", "order": order})
    setup = expert_review.ranking_setup(YEAR, Kind.FACTORY)
    ordered = expert_review.ranked_pks(YEAR, Kind.FACTORY, setup=setup, order=order)
    sheet = list(load_workbook(BytesIO(by_criterion.content)).active.iter_rows(values_only=True))
    assert [row[1] for row in sheet[1:]] == [names[pk] for pk in ordered]


def test_a_publicity_pick_outside_the_top_needs_its_reason(client, world, scored):
    """The positions come from the database's order: the 6th is outside a top of 5."""
    client.force_login(world.municipal)
    before = previous_ranking(YEAR, Kind.FACTORY)
    sixth = Dossier.objects.select_related("organisation").get(pk=before[5]["pk"])
    data = {
        "dossiers": [before[0]["pk"], sixth.pk],
        "title": "公示",
        "starts_on": timezone.localdate().isoformat(),
        "contact": "0755",
    }
    response = client.post(reverse("create_publicity") + f"?year={YEAR}&kind=factory", data, follow=True)
    refused = [str(m) for m in response.context["messages"]]
    assert len(refused) == 1 and sixth.organisation.name in refused[0]
    assert not PublicityBatch.objects.exists()


# ---- the nominations page: a search, not a drop-down of every listed factory -------------------------------


def listed(n, **kwargs):
    return dossiers(n, State.LISTED, **kwargs)


def test_the_nominations_page_offers_no_list_of_every_listed_factory(client, world):
    listed(30)
    client.force_login(world.municipal)
    page = client.get(reverse("nominations"), {"year": YEAR}).content.decode()
    assert "<select" not in page and "<option" not in page
    assert 'data-testid="listed-search"' in page and 'data-testid="listed-match"' not in page


def test_the_search_finds_by_part_of_the_name_or_the_credit_code_at_most_20(client, world):
    made = listed(25, names=[f"深圳市{'光明' if i < 3 else '宝安'}{i}号电子有限公司" for i in range(25)])
    recommended = made[1]
    NationalRecommendation.objects.create(dossier=recommended, year=YEAR, recommended_by=world.municipal)
    client.force_login(world.municipal)
    by_name = client.get(reverse("nominations"), {"year": YEAR, "q": "光明"}).context
    assert [pk for pk, *_rest in by_name["matches"]] == [made[0].pk, made[2].pk]  # the recommended one is not offered
    assert by_name["more"] is False
    code = Organisation.objects.get(dossiers=made[4]).credit_code
    by_code = client.get(reverse("nominations"), {"year": YEAR, "q": code[-9:].lower()}).context
    assert [pk for pk, *_rest in by_code["matches"]] == [made[4].pk]
    many = client.get(reverse("nominations"), {"year": YEAR, "q": "宝安"})
    assert len(many.context["matches"]) == 20 and many.context["more"] is True
    html = many.content.decode()
    assert html.count('data-testid="listed-match"') == 20 and 'data-testid="more-matches"' in html


def test_the_search_answers_htmx_with_the_matches_alone(client, world):
    listed(2, names=["深圳市龙华甲公司", "深圳市龙华乙公司"])
    client.force_login(world.municipal)
    response = client.get(
        reverse("nominations"), {"year": YEAR, "q": "龙华"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="listed-matches"
    )
    html = response.content.decode()
    assert html.count('data-testid="listed-match"') == 2 and "<html" not in html and "csrfmiddlewaretoken" in html


def test_a_found_factory_is_recommended_with_its_button(client, world):
    (found,) = listed(1, names=["深圳市坪山丙公司"])
    client.force_login(world.municipal)
    page = client.get(reverse("nominations"), {"year": YEAR, "q": "坪山"}).content.decode()
    assert f'name="dossier" value="{found.pk}"' in page
    response = client.post(reverse("nominations") + f"?year={YEAR}", {"dossier": found.pk, "note": "优秀"})
    assert response.status_code == 302
    assert NationalRecommendation.objects.filter(dossier=found, year=YEAR, note="优秀").exists()
    again = client.get(reverse("nominations"), {"year": YEAR, "q": "坪山"}).context
    assert again["matches"] == []


def test_the_nominations_page_and_search_make_the_same_queries_for_3_or_33(client, world):
    client.force_login(world.municipal)
    listed(3)
    dossiers(3, State.NOMINATED, kind=Kind.PARK)
    for query in ("", "城市"):
        url = reverse("nominations") + f"?year={YEAR}&q={query}"
        client.get(url)
        _small, small_count = opened(client, url)
        listed(30)
        dossiers(30, State.NOMINATED, kind=Kind.PARK)
        large, large_count = opened(client, url)
        assert large_count == small_count
        assert len(large.content) < 60_000


# ---- the review board -------------------------------------------------------------------------------------


def test_the_review_board_reads_only_the_dossiers_of_its_pages(client, world):
    make = dossiers(60, State.IN_LIBRARY)
    under_review = dossiers(60, State.IN_REVIEW)
    for dossier in under_review[:5]:
        ExpertAssignment.objects.create(dossier=dossier, expert=world.expert)
    client.force_login(world.municipal)
    url = reverse("review_board") + f"?year={YEAR}&kind=factory&per_page=25&rp=3"
    client.get(url)
    built = []

    def count(sender, **kwargs):
        built.append(sender)

    post_init.connect(count, sender=Dossier)
    try:
        response, queries = opened(client, url)
    finally:
        post_init.disconnect(count, sender=Dossier)
    assert built == []  # plain values, never model instances
    library, in_review = response.context["library"], response.context["in_review"]
    by_name = sorted(make, key=lambda d: (d.organisation.name, d.pk))
    assert [row.pk for row in library.object_list] == [d.pk for d in by_name[:25]]
    assert in_review.number == 3 and len(in_review.object_list) == 10
    assert (library.paginator.count, in_review.paginator.count) == (60, 60)
    dossiers(40, State.IN_REVIEW)
    _again, more_queries = opened(client, url)
    assert more_queries == queries
