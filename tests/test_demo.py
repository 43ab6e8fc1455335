"""The demo seed: every state and kind, two agencies, one user per role who sees only their scope."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts import scoping
from accounts.models import Role, User
from applications.demo import DEMO_PASSWORD
from applications.models import Agency, Dossier, Kind, Organisation, State


@pytest.fixture
def seeded(db, settings):
    settings.DEMO_MODE = True
    call_command("seed_demo", verbosity=0)


def test_seed_covers_every_state_and_kind(seeded):
    assert set(Dossier.objects.values_list("state", flat=True)) == set(State)
    assert set(Dossier.objects.values_list("kind", flat=True)) == set(Kind)
    assert Organisation.objects.count() >= 55
    assert Agency.objects.count() == 2
    from applications import transition_chain

    assert transition_chain.verify()[1] == []  # issue 14: the demo's log is a valid hash chain


def test_seed_is_refused_outside_demo_mode(db, settings):
    from django.core.management.base import CommandError

    settings.DEMO_MODE = False
    with pytest.raises(CommandError):
        call_command("seed_demo", verbosity=0)


def test_seed_twice_changes_nothing(seeded):
    count = Dossier.objects.count()
    call_command("seed_demo", verbosity=0)
    assert Dossier.objects.count() == count


DEMO_USERS = ["applicant", "agency", "district", "district_futian", "municipal", "staff", "expert"]


def test_every_demo_role_logs_in_and_sees_only_its_scope(seeded, client):
    for username in DEMO_USERS:
        check_role_sees_its_scope(client, username)


def check_role_sees_its_scope(client, username):
    assert client.login(username=username, password=DEMO_PASSWORD), username
    response = client.get(reverse("home"))
    assert response.status_code == 200
    user = User.objects.get(username=username)
    shown = {d.pk for d in response.context["page"].object_list}
    in_scope = set(scoping.dossiers_for(user).values_list("pk", flat=True))
    assert shown <= in_scope
    assert shown, f"{username} sees nothing"
    if user.role == Role.DISTRICT:
        assert set(Dossier.objects.filter(pk__in=shown).values_list("organisation__district", flat=True)) == {
            user.district_id
        }
    if user.role == Role.APPLICANT:
        assert set(Dossier.objects.filter(pk__in=shown).values_list("organisation", flat=True)) == {
            user.organisation_id
        }
