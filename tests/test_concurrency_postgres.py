"""Two people act on one dossier at the same moment: exactly one wins, the other is told clearly."""

import threading

import pytest
from django.db import connection

from applications import services
from applications.models import Dossier, State, TransitionLog
from tests.conftest import at, make_dossier

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
    dossier = make_dossier(world.org_a, State.SUBMITTED)
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
    dossier = make_dossier(world.org_a, State.SUBMITTED)
    outcomes = race(dossier.pk, [("recommend", {"now": at(2026, 5, 20)})] * 2)
    assert outcomes.count("ok") == 1
    assert TransitionLog.objects.filter(dossier=dossier, transition="recommend").count() == 1
