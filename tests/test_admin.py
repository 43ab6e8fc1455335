import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse

from applications.models import Dossier, State, TransitionLog
from tests.conftest import make_dossier
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def test_transition_log_is_read_only_in_admin(world, admin_user):
    make_dossier(world.org_a)
    request = RequestFactory().get("/")
    request.user = admin_user
    model_admin = site._registry[TransitionLog]
    entry = TransitionLog.objects.get()
    assert model_admin.has_add_permission(request) is False
    assert model_admin.has_change_permission(request, entry) is False
    assert model_admin.has_delete_permission(request, entry) is False


def test_dossier_state_is_read_only_and_dossiers_are_not_deleted_in_admin(world, admin_user):
    dossier = make_dossier(world.org_a)
    request = RequestFactory().get("/")
    request.user = admin_user
    model_admin = site._registry[Dossier]
    assert "state" in model_admin.get_readonly_fields(request, dossier)
    assert model_admin.has_delete_permission(request, dossier) is False


def test_admin_changelist_filters_by_district_kind_state_and_year(client, world, admin_user):
    make_dossier(world.org_a, State.SUBMITTED)
    make_dossier(world.org_b)
    client.force_login(admin_user)
    url = reverse("admin:applications_dossier_changelist")
    response = client.get(url, {"organisation__district__id__exact": world.org_b.district_id, "state": "pooled"})
    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == list(Dossier.objects.filter(organisation=world.org_b))
    assert client.get(url, {"kind": "factory", "cycle_year": "2026"}).status_code == 200


def test_admin_dossier_history_page_shows_field_changes(client, world, admin_user):
    dossier = make_dossier(world.org_a, State.SUBMITTED)
    client.force_login(admin_user)
    response = client.get(reverse("admin:applications_dossier_history", args=[dossier.pk]))
    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) == dossier.history.count() > 1
