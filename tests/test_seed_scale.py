"""``manage.py seed_scale``: the province-sized data set the benchmark in bench/ runs on (issue 13)."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, OuterRef, Subquery

from accounts.models import Notification, User
from applications.models import AnnualReport, Dossier, Organisation, State, TransitionLog
from registry.models import PublishedList, Recheck, Removal, Report
from reviews.models import Objection, PublicityEntry

TODAY = datetime.date(2026, 11, 20)
MAIN_STATES = [
    State.POOLED,
    State.SUBMITTED,
    State.RECOMMENDED,
    State.IN_LIBRARY,
    State.IN_REVIEW,
    State.IN_PUBLICITY,
    State.LISTED,
    State.RECHECKING,
    State.REMOVED,
    State.NOT_PASSED,
    State.WITHDRAWN,
    State.LAPSED,
]


def seed(n=500, **options):
    out = io.StringIO()
    call_command("seed_scale", dossiers=n, today=TODAY.isoformat(), stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def seeded(districts, settings):
    settings.DEMO_MODE = True
    return seed()


def test_seeding_500_gives_the_promised_shape(seeded):
    assert "Seeded 500 dossiers" in seeded
    assert Dossier.objects.count() == 500
    assert Organisation.objects.count() == 200
    assert Organisation.objects.values("district").distinct().count() == 11
    per_state = dict(Dossier.objects.values_list("state").annotate(n=Count("pk")).order_by())
    assert [s for s in MAIN_STATES if per_state.get(s, 0) == 0] == []
    assert per_state[State.LISTED] == max(per_state.values())  # "many" listed
    # Every listed unit holds a rank on a published list and is in its publicity batch.
    on_lists = Dossier.objects.filter(state__in=[State.LISTED, State.RECHECKING])
    assert on_lists.filter(published_list__isnull=True).count() == 0
    assert on_lists.filter(rank__isnull=True).count() == 0
    assert on_lists.filter(listed_on__isnull=True).count() == 0
    assert on_lists.filter(next_recheck_due__isnull=True).count() == 0
    assert on_lists.exclude(publicity_batch_matches()).count() == 0
    assert PublishedList.objects.count() >= 2
    assert max(len(p.entries) for p in PublishedList.objects.all()) > 50
    for published in PublishedList.objects.all():
        ranks = list(published.dossiers.filter(rank__isnull=False).order_by("rank").values_list("rank", flat=True))
        assert ranks == list(range(1, len(ranks) + 1))  # live ranks closed up after removals
    # Removed units have their removal; rechecking ones an open recheck.
    assert Removal.objects.count() == per_state[State.REMOVED]
    rechecking = Dossier.objects.filter(state=State.RECHECKING)
    assert rechecking.filter(rechecks__decided_at__isnull=True).distinct().count() == rechecking.count()
    assert Recheck.objects.count() >= per_state[State.RECHECKING]
    assert AnnualReport.objects.exists()
    assert Report.objects.count() == 10 and Objection.objects.exists() and Notification.objects.count() == 25


def publicity_batch_matches():
    from django.db.models import Q

    return Q(publicity_entry__batch__published_list=F("published_list"))


def test_log_rows_point_to_dossiers_and_end_in_their_state(seeded):
    logs = TransitionLog.objects.count()
    assert 3 * 500 <= logs <= 7 * 500  # ~5 per dossier
    assert TransitionLog.objects.filter(dossier__isnull=True).count() == 0
    last = TransitionLog.objects.filter(dossier=OuterRef("pk")).order_by("-at", "-pk").values("to_state")[:1]
    mismatched = Dossier.objects.annotate(last=Subquery(last)).exclude(state=F("last"))
    assert list(mismatched.values_list("pk", "state", "last")) == []
    first = TransitionLog.objects.filter(dossier=OuterRef("pk")).order_by("at", "pk").values("transition")[:1]
    assert set(Dossier.objects.annotate(first=Subquery(first)).values_list("first", flat=True)) == {"create"}
    from applications import transition_chain

    assert transition_chain.verify()[1] == []  # issue 14: the seeded log is a valid hash chain
    assert (
        PublicityEntry.objects.filter(dossier__state=State.IN_PUBLICITY).count()
        == Dossier.objects.filter(state=State.IN_PUBLICITY).count()
    )


def test_pages_open_on_the_seeded_data(seeded, client):
    from django.conf import settings as django_settings

    client.force_login(User.objects.get(username="scale_staff"))
    assert client.get("/workspace/").status_code == 200
    officer = User.objects.get(username="scale_district_baoan")
    client.force_login(officer)
    assert client.get("/workspace/").status_code == 200
    client.logout()
    assert client.get("/public/lists/").status_code == 200
    assert django_settings.DEMO_MODE


def test_same_seed_gives_the_same_data(districts, settings):
    settings.DEMO_MODE = True
    seed(60)
    first = list(Dossier.objects.order_by("pk").values_list("organisation__name", "kind", "cycle_year", "state"))
    assert len(first) == 60
    # A second, appended run with the same seed builds the same shape again beside the first.
    seed(60, append=True)
    second = list(Dossier.objects.order_by("pk").values_list("kind", "cycle_year", "state"))[60:]
    assert second == [row[1:] for row in first]


def test_refused_outside_demo_mode_and_on_a_database_with_dossiers(districts, settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="DEMO_MODE"):
        seed(10)
    assert Dossier.objects.count() == 0
    seed(10, yes_scratch_database=True)
    assert Dossier.objects.count() == 10
    with pytest.raises(CommandError, match="--append"):
        seed(10, yes_scratch_database=True)
    assert Dossier.objects.count() == 10


def test_reviewed_dossiers_carry_their_experts_scores(seeded, client):
    """第十七条: this cycle's round of each kind has its criteria, and every dossier in or past review was assigned
    3 to 5 experts whose final scores add up as the portal's own ``weighted_total`` would."""
    from reviews import expert_review
    from reviews.models import ExpertAssignment, Review, Round

    rounds = Round.objects.filter(year=TODAY.year)
    assert rounds.count() == 3 and all(r.criteria.count() == 6 for r in rounds)
    reviewed = Dossier.objects.filter(state__in=[State.IN_REVIEW, State.IN_PUBLICITY, State.NOMINATED])
    per_dossier = dict(
        ExpertAssignment.objects.values_list("dossier").annotate(n=Count("pk")).order_by().values_list("dossier", "n")
    )
    assert set(per_dossier) == set(reviewed.values_list("pk", flat=True))
    assert set(per_dossier.values()) <= {3, 4, 5}
    final = Review.objects.filter(finalised_at__isnull=False).select_related("assignment__dossier")
    assert final.exists() and Review.objects.filter(finalised_at__isnull=True).exists()
    for review in final[:50]:
        criteria = expert_review.round_for(TODAY.year, review.assignment.dossier.kind).criteria.all()
        assert review.total == expert_review.weighted_total(criteria, review.scores)
        assert not review.assignment.conflict_declared
    # and the ranking ranks them by those scores
    client.force_login(User.objects.get(username="scale_staff"))
    page = client.get(f"/city/ranking/?year={TODAY.year}")
    assert page.status_code == 200
    assert page.context["table"]["round"] is not None
    aggregates = [row["aggregate"] for row in page.context["page"].object_list if row["aggregate"] is not None]
    assert aggregates and aggregates == sorted(aggregates, reverse=True)
