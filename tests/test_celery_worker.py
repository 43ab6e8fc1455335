"""A real Celery worker (started by .ci/run) takes a deadline task from the real broker and acts on PostgreSQL.

No eager mode: the task travels through Redis to a separate worker process, which uses the test database.
"""

import time

import pytest
from django.conf import settings

from applications.models import Dossier, State, TransitionLog
from greenfactory.sweeps import TASKS
from tests.conftest import make_dossier
from tests.factories import OrganisationFactory, declare_eligible

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_worker_runs_the_31_may_sweep_through_the_broker(world):
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    org = OrganisationFactory()
    declare_eligible(org)
    waiting = make_dossier(org, State.SUBMITTED, year=2027)
    recommended = make_dossier(world.org_a, State.RECOMMENDED, year=2027)
    result = TASKS["lapse_unrecommended"].delay(as_of="2027-05-31T00:05")
    assert result.id
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if Dossier.objects.get(pk=waiting.pk).state == State.LAPSED:
            break
        time.sleep(0.5)
    assert Dossier.objects.get(pk=waiting.pk).state == State.LAPSED
    assert Dossier.objects.get(pk=recommended.pk).state == State.RECOMMENDED
    entry = TransitionLog.objects.get(dossier=waiting, transition="lapse")
    assert entry.actor is None
