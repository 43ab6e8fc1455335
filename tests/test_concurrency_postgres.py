"""Two people act on one dossier at the same moment: exactly one wins, the other is told clearly."""

import threading

import pytest
from django.db import connection

from applications import services
from applications.models import Dossier, State, TransitionLog
from tests.conftest import at, checked, make_dossier

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(dossier_pk, attempts):
    """Run each (name, kwargs) at once from its own thread and connection; return outcomes."""
    barrier = threading.Barrier(len(attempts))
    outcomes = [None] * len(attempts)
    copies = [Dossier.objects.get(pk=dossier_pk) for _ in attempts]  # both see the same state

    def attempt(i, name, kwargs):
        try:
            barrier.wait()
            services.transition(copies[i], name, **kwargs)
            outcomes[i] = "ok"
        except services.TransitionRefused as refused:
            outcomes[i] = refused
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i, n, kw)) for i, (n, kw) in enumerate(attempts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return outcomes


def test_two_concurrent_transitions_one_succeeds_one_is_refused(world):
    dossier = checked(make_dossier(world.org_a, State.SUBMITTED))
    logged_before = TransitionLog.objects.filter(dossier=dossier).count()
    outcomes = race(
        dossier.pk,
        [
            ("recommend", {"by": world.officer_nanshan, "now": at(2026, 5, 20)}),
            ("return_for_revision", {"by": world.officer_nanshan, "reason": "补充", "now": at(2026, 5, 20)}),
        ],
    )
    assert sorted(o == "ok" for o in outcomes) == [False, True]
    loser = next(o for o in outcomes if o != "ok")
    assert isinstance(loser, services.StaleState)
    assert "已被他人更改" in loser.message
    dossier.refresh_from_db()
    assert TransitionLog.objects.filter(dossier=dossier).count() == logged_before + 1
    assert TransitionLog.objects.filter(dossier=dossier).latest("pk").to_state == dossier.state


def test_the_same_transition_twice_at_once_is_logged_once(world):
    dossier = checked(make_dossier(world.org_a, State.SUBMITTED))
    outcomes = race(dossier.pk, [("recommend", {"now": at(2026, 5, 20)})] * 2)
    assert outcomes.count("ok") == 1
    assert TransitionLog.objects.filter(dossier=dossier, transition="recommend").count() == 1


def test_two_sweeps_at_once_make_each_transition_exactly_once(world):
    from greenfactory.sweeps import run_sweep
    from tests.factories import OrganisationFactory, declare_eligible

    dossiers = []
    for _ in range(12):
        org = OrganisationFactory()
        declare_eligible(org)
        dossiers.append(make_dossier(org, State.SUBMITTED, year=2027))
    barrier = threading.Barrier(2)
    results = []

    def sweep():
        try:
            barrier.wait()
            results.append(run_sweep("lapse_unrecommended", at(2027, 5, 31, 0, 5)))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(len(r) for r in results) == 12
    lapses = TransitionLog.objects.filter(transition="lapse")
    assert lapses.count() == 12
    assert sorted(lapses.values_list("dossier_id", flat=True)) == sorted(d.pk for d in dossiers)
    assert set(Dossier.objects.filter(pk__in=[d.pk for d in dossiers]).values_list("state", flat=True)) == {
        State.LAPSED
    }


def test_two_submissions_at_the_agencys_last_place_cannot_both_pass(world):
    """第二十四条: an agency at 14 evaluations; two clients submit at the same moment: one 15th, no 16th."""
    from tests.factories import AgencyFactory, OrganisationFactory, attach_pdf, declare_eligible

    agency = AgencyFactory()
    for _ in range(14):
        org = OrganisationFactory()
        declare_eligible(org)
        make_dossier(org, State.SUBMITTED, agency=agency)
    waiting = []
    for _ in range(2):
        org = OrganisationFactory()
        declare_eligible(org)
        waiting.append(attach_pdf(make_dossier(org, agency=agency)))
    barrier = threading.Barrier(2)
    outcomes = [None, None]

    def submit(i):
        try:
            barrier.wait()
            services.transition(Dossier.objects.get(pk=waiting[i].pk), "submit", now=at(2026, 3, 2))
            outcomes[i] = "ok"
        except services.TransitionRefused as refused:
            outcomes[i] = refused.message
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(o == "ok" for o in outcomes) == [False, True]
    assert next(o for o in outcomes if o != "ok").startswith("第二十四条")
    assert agency.evaluations_in_year(2026) == 15
