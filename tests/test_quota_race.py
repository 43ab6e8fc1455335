"""Issue 14, 第二十四条 under load: an agency at 14 evaluations, several submissions at the same moment over HTTP.

Exactly one more is counted (15), the others are told why, and none of them gets a 500. Real PostgreSQL, one
connection per request thread."""

import threading

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from applications.models import AgencyEvaluation, Dossier, State
from tests.conftest import at, make_dossier
from tests.factories import OrganisationFactory, UserFactory, attach_pdf, declare_eligible

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 3
AT_ONCE = 4


def organisation():
    org = OrganisationFactory()
    declare_eligible(org)
    return org


def submit_all_at_once(dossiers):
    barrier = threading.Barrier(len(dossiers))
    outcomes = [None] * len(dossiers)

    def submit(index, dossier):
        client = Client(raise_request_exception=False)
        client.force_login(UserFactory(role=Role.APPLICANT, organisation=dossier.organisation))
        url = reverse("self_evaluation_step", args=[dossier.pk, "report"])
        try:
            barrier.wait()
            response = client.post(url, {"pledge": "on", "submit": "1"}, follow=True)
            outcomes[index] = (
                response.redirect_chain[0][1] if response.redirect_chain else response.status_code,
                response.content.decode(),
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(i, d)) for i, d in enumerate(dossiers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


@pytest.mark.parametrize("round_number", range(ROUNDS))
def test_the_quota_race_over_http_counts_exactly_15_and_never_answers_500(world, round_number):
    with time_machine.travel(at(2027, 3, 10), tick=True):
        for _ in range(14):
            make_dossier(organisation(), State.SUBMITTED, year=2027, agency=world.agency)
        ready = [attach_pdf(make_dossier(organisation(), year=2027, agency=world.agency)) for _ in range(AT_ONCE)]
        assert world.agency.evaluations_in_year(2027) == 14

        outcomes = submit_all_at_once(ready)

    statuses = [status for status, _body in outcomes]
    assert 500 not in statuses and None not in statuses, statuses
    assert AgencyEvaluation.objects.filter(agency=world.agency, year=2027).count() == 15
    submitted = Dossier.objects.filter(pk__in=[d.pk for d in ready], state=State.SUBMITTED)
    assert submitted.count() == 1
    refused = [body for (_status, body), d in zip(outcomes, ready, strict=True) if d.pk != submitted.get().pk]
    assert all("第二十四条" in body for body in refused), [b[:200] for b in refused]
