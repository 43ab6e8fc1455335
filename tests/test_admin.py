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


def test_staff_define_the_annual_indicator_set_in_the_admin(client, admin_user):
    from applications.models import IndicatorSet

    client.force_login(admin_user)
    data = {
        "year": 2027,
        "note": "",
        "indicators-TOTAL_FORMS": 1,
        "indicators-INITIAL_FORMS": 0,
        "indicators-MIN_NUM_FORMS": 0,
        "indicators-MAX_NUM_FORMS": 1000,
        "indicators-0-code": "energy",
        "indicators-0-name": "单位产品综合能耗",
        "indicators-0-unit": "tce/万件",
        "indicators-0-required": "on",
        "indicators-0-worsen_threshold": "10",
        "indicators-0-order": "1",
    }
    response = client.post(reverse("admin:applications_indicatorset_add"), data)
    assert response.status_code == 302
    assert list(IndicatorSet.objects.get(year=2027).indicators.values_list("name", flat=True)) == ["单位产品综合能耗"]


def test_every_admin_changelist_renders(client, admin_user, world):
    from django.contrib import admin as django_admin

    make_dossier(world.org_a, State.LISTED)
    client.force_login(admin_user)
    for model in django_admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url


def test_city_staff_cannot_grant_themselves_privileges_in_the_admin(client, db):
    from django.contrib.auth.models import Permission

    from accounts.models import Role, User

    staff = UserFactory(username="citystaff", role=Role.STAFF, is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="accounts"))
    client.force_login(staff)
    url = reverse("admin:accounts_user_change", args=[staff.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="is_superuser"' not in page.content.decode()
    client.post(
        url,
        {
            "username": "citystaff",
            "is_superuser": "on",
            "role": "staff",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    staff.refresh_from_db()
    assert staff.is_superuser is False
    root = User.objects.create_superuser("root2", "r@example.com", "x-Secret-99a")
    assert client.get(reverse("admin:accounts_user_change", args=[root.pk])).status_code in (302, 403, 404)


def test_a_superuser_cannot_swap_the_agency_or_the_report_of_a_dossier_in_the_admin(client, world, admin_user):
    """第二十四条, 第二十五条: every field a rule reads moves only through the services and their guards."""
    from tests.factories import AgencyFactory

    dossier = make_dossier(world.org_a, State.SUBMITTED, agency=world.agency)
    barred = AgencyFactory()
    client.force_login(admin_user)
    url = reverse("admin:applications_dossier_change", args=[dossier.pk])
    page = client.get(url).context
    form = page["adminform"].form
    assert not {"agency", "evaluation_mode", "report", "district_ready_at", "rank", "published_list"} & set(form.fields)
    data = {"agency": barred.pk, "rank": 1, "cultivation_notes": "重点培育"}
    for inline in page["inline_admin_formsets"]:
        management = inline.formset.management_form
        data |= {management.add_prefix(name): value for name, value in management.initial.items()}
    assert client.post(url, data).status_code == 302
    dossier.refresh_from_db()
    assert (dossier.agency, dossier.rank, dossier.cultivation_notes) == (world.agency, None, "重点培育")


def test_scoping_services_and_notifications_import_no_circle():
    """Issue 9 §7: accounts.scoping → applications.services → accounts.notifications → accounts.scoping was
    a circle (through function-level imports too); notifications now listen to the transition log."""
    import ast
    from pathlib import Path

    from django.conf import settings

    modules = ["accounts.scoping", "applications.services", "accounts.notifications", "applications.signals"]

    def imports(name):
        tree = ast.parse((Path(settings.BASE_DIR) / (name.replace(".", "/") + ".py")).read_text())
        found = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                found |= {m for m in modules if node.module == m or f"{node.module}.{node.names[0].name}" == m}
            elif isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names if alias.name in modules}
        return found - {name}

    graph = {name: imports(name) for name in modules}

    def reaches(start, goal, seen=()):
        return any(n == goal or (n not in seen and reaches(n, goal, (*seen, n))) for n in graph[start])

    assert [name for name in modules if reaches(name, name)] == []


def test_the_dossier_changelist_reads_its_rows_in_a_constant_number_of_queries(client, world, admin_user):
    """The changelist shows the dossier's own district column (``Dossier.district``) read with the rows; it
    had been a query per row once the model gained that field (the benchmark's baseline went to 107 queries)."""
    from applications import services
    from applications.models import Kind
    from tests.factories import OrganisationFactory

    client.force_login(admin_user)
    url = reverse("admin:applications_dossier_changelist")

    def queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    services.pool(world.org_a, Kind.FACTORY, 2026)
    few = queries()
    for _ in range(12):
        services.pool(OrganisationFactory(), Kind.FACTORY, 2026)
    assert queries() == few
