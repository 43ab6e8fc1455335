"""Persona tests: each role sees only its scope; outside it, pages and actions answer 404."""

import pytest
from django.urls import reverse

from accounts import scoping
from applications.models import State
from tests.conftest import make_dossier

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossiers(world):
    return make_dossier(world.org_a, State.SUBMITTED), make_dossier(world.org_b, State.SUBMITTED)


def status(client, user, url, method="get"):
    client.force_login(user)
    return getattr(client, method)(url).status_code


def test_applicant_cannot_see_another_applicants_dossier(client, world, dossiers):
    mine, theirs = dossiers
    assert status(client, world.applicant_a, reverse("dossier_detail", args=[mine.pk])) == 200
    assert status(client, world.applicant_a, reverse("dossier_detail", args=[theirs.pk])) == 404


def test_nanshan_officer_cannot_see_or_act_on_futian(client, world, dossiers):
    nanshan, futian = dossiers
    assert status(client, world.officer_nanshan, reverse("dossier_detail", args=[futian.pk])) == 404
    url = reverse("dossier_transition", args=[futian.pk, "return_for_revision"])
    client.force_login(world.officer_nanshan)
    assert client.post(url, {"reason": "越权"}).status_code == 404
    futian.refresh_from_db()
    assert futian.state == State.SUBMITTED
    assert status(client, world.officer_nanshan, reverse("dossier_detail", args=[nanshan.pk])) == 200


def test_expert_sees_only_assigned_dossiers_without_conflict(client, world, dossiers, assign):
    assigned, unassigned = dossiers
    assign(assigned, world.expert)
    assign(unassigned, world.expert2, conflict=True)
    assert status(client, world.expert, reverse("dossier_detail", args=[assigned.pk])) == 200
    assert status(client, world.expert, reverse("dossier_detail", args=[unassigned.pk])) == 404
    assert status(client, world.expert2, reverse("dossier_detail", args=[unassigned.pk])) == 404


def test_agency_sees_only_dossiers_that_commissioned_it(client, world):
    commissioned = make_dossier(world.org_a, agency=world.agency)
    other = make_dossier(world.org_b)
    assert list(scoping.dossiers_for(world.agency_user)) == [commissioned]
    assert status(client, world.agency_user, reverse("dossier_detail", args=[other.pk])) == 404


def test_municipal_sees_all_districts(world, dossiers):
    assert set(scoping.dossiers_for(world.municipal)) == set(dossiers)


def test_role_without_the_right_cannot_act_even_in_scope(client, world, dossiers):
    mine, _ = dossiers
    client.force_login(world.applicant_a)
    response = client.post(reverse("dossier_transition", args=[mine.pk, "recommend"]), {"reason": ""})
    assert response.status_code == 404
    mine.refresh_from_db()
    assert mine.state == State.SUBMITTED


def test_home_lists_only_the_scope(client, world, dossiers):
    client.force_login(world.officer_futian)
    body = client.get(reverse("home")).content.decode()
    assert world.org_b.name in body
    assert world.org_a.name not in body


def test_anonymous_is_sent_to_login(client, dossiers):
    response = client.get(reverse("dossier_detail", args=[dossiers[0].pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
