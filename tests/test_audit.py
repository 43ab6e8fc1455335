"""The security audit log (GB/T 22239-2019 安全审计; 网络安全法第二十一条): what is recorded, append-only on
every path, and on PostgreSQL in the database itself."""

import datetime

import pytest
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from applications.models import State
from audit.models import AuditEvent, EventType
from audit.retention import purge_audit_log
from greenfactory.sweeps import SWEEPS
from registry import reports
from reviews.models import Objection
from tests.conftest import make_dossier
from tests.factories import UserFactory
from tests.test_municipal import running_publicity  # noqa: F401 - the fixture
from tests.test_reports_district import evidence

pytestmark = pytest.mark.django_db


@pytest.fixture
def publicity(request):
    """test_municipal's running publicity (two units in review, publicised from 28 September 2026)."""
    return request.getfixturevalue("running_publicity")


def events(kind):
    return list(AuditEvent.objects.filter(event_type=kind).order_by("pk"))


def test_viewing_an_objectors_identity_writes_one_audit_row_naming_the_objection(client, world, publicity):
    batch, first, _second = publicity
    objection = Objection.objects.create(
        dossier=first, objector_kind="person", objector_name="王秘密", objector_phone="13912340000", content="异议"
    )
    client.force_login(world.municipal)

    page = client.get(reverse("publicity_batch", args=[batch.pk]), REMOTE_ADDR="10.1.2.3")

    assert "王秘密" in page.content.decode()
    [row] = events(EventType.IDENTITY_VIEW)
    assert (row.actor, row.actor_username, row.actor_role, row.ip_address) == (
        world.municipal,
        "city",
        Role.MUNICIPAL,
        "10.1.2.3",
    )
    assert (row.object_type, row.object_id, row.detail["ids"]) == (
        "reviews.objection",
        str(objection.pk),
        [objection.pk],
    )


def test_a_page_without_identities_writes_no_identity_row(client, world, publicity):
    batch, _first, _second = publicity
    client.force_login(world.municipal)
    client.get(reverse("publicity_batch", args=[batch.pk]))
    assert events(EventType.IDENTITY_VIEW) == []


def test_viewing_a_reporters_identity_is_recorded_for_city_and_district(client, world):
    make_dossier(world.org_a, State.LISTED)
    report = reports.file_report(
        organisation=world.org_a,
        agency=None,
        name="赵举报",
        contact="13700000000",
        content="数据造假",
        evidence=evidence(),
    )
    client.force_login(world.officer_nanshan)
    client.get(reverse("district_report", args=[report.pk]))  # not shared: the district sees no identity
    assert events(EventType.IDENTITY_VIEW) == []
    client.force_login(world.municipal)
    client.get(reverse("city_report", args=[report.pk]))
    [row] = events(EventType.IDENTITY_VIEW)
    assert (row.actor, row.object_type, row.object_id) == (world.municipal, "registry.report", str(report.pk))


def test_the_model_refuses_change_and_delete_of_an_audit_row(world):
    row = AuditEvent.objects.create(event_type=EventType.LOGIN, actor_username="x")
    row.target = "rewritten"
    with pytest.raises(PermissionDenied):
        row.save()
    with pytest.raises(PermissionDenied):
        row.delete()
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.filter(pk=row.pk).update(target="rewritten")
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.filter(pk=row.pk).delete()
    assert AuditEvent.objects.get(pk=row.pk).target == ""


def test_login_failed_login_and_logout_are_recorded(client, world):
    client.post(reverse("login"), {"username": "city", "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
    client.post(reverse("login"), {"username": "city", "password": "pw-for-tests-1"}, REMOTE_ADDR="10.0.0.9")
    client.post(reverse("logout"))

    [failed] = events(EventType.LOGIN_FAILED)
    assert (failed.actor, failed.actor_username, failed.ip_address) == (None, "city", "10.0.0.9")
    assert "wrong" not in str(failed.detail)
    [login] = events(EventType.LOGIN)
    assert (login.actor, login.actor_role) == (world.municipal, Role.MUNICIPAL)
    [logout] = events(EventType.LOGOUT)
    assert logout.actor == world.municipal


def test_a_role_change_from_any_path_is_recorded_with_old_and_new(world):
    user = world.expert
    user.role = Role.MUNICIPAL
    user.save()  # the shell: no request, no actor
    [row] = events(EventType.ROLE_CHANGE)
    assert (row.object_id, row.target) == (str(user.pk), "expert1")
    assert row.detail["changes"] == {"role": {"old": "expert", "new": "municipal"}}


def test_making_a_user_staff_and_adding_a_group_are_permission_changes(world):
    from django.contrib.auth.models import Group

    user = world.municipal
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.create(name="审核组"))
    rows = events(EventType.PERMISSION_CHANGE)
    assert [r.detail.get("changes", r.detail.get("relation")) for r in rows] == [
        {"is_staff": {"old": False, "new": True}},
        "accounts.user_groups",
    ]


def test_a_role_change_in_the_django_admin_is_recorded_with_the_admin_action(client, world):
    root = UserFactory(username="root", is_staff=True, is_superuser=True, role="")
    client.force_login(root)
    target = world.expert
    url = reverse("admin:accounts_user_change", args=[target.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list | tuple)}
    data |= {
        "role": Role.MUNICIPAL,
        "username": target.username,
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
    }
    data.pop("password", None)
    data.pop("last_login", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""

    [change] = events(EventType.ROLE_CHANGE)
    assert (change.actor, change.detail["changes"]["role"]) == (root, {"old": "expert", "new": "municipal"})
    [action] = events(EventType.ADMIN_ACTION)
    assert (action.actor, action.detail["action"], action.detail["model"]) == (root, "change", "accounts.user")


def test_an_admin_log_entry_is_an_admin_action_row(world):
    LogEntry.objects.create(
        user=world.municipal,
        content_type=ContentType.objects.get_for_model(world.org_a),
        object_id=str(world.org_a.pk),
        object_repr=str(world.org_a),
        action_flag=CHANGE,
        change_message="改名",
    )
    [row] = events(EventType.ADMIN_ACTION)
    assert (row.actor, row.target, row.detail["action"], row.detail["object_id"]) == (
        world.municipal,
        str(world.org_a),
        "change",
        str(world.org_a.pk),
    )


def test_the_admins_bulk_logging_of_several_objects_is_recorded_too(world):
    LogEntry.objects.log_actions(world.municipal.pk, [world.org_a, world.org_b], DELETION)
    assert [(r.target, r.detail["action"]) for r in events(EventType.ADMIN_ACTION)] == [
        (str(world.org_a), "deletion"),
        (str(world.org_b), "deletion"),
    ]


def test_every_export_of_a_list_is_recorded(client, world):
    make_dossier(world.org_a)
    client.force_login(world.municipal)
    response = client.get(reverse("home"), {"format": "xlsx"})
    assert response.status_code == 200
    client.logout()
    client.get(reverse("public_lists"), {"format": "csv"})
    client.get(reverse("public_lists"), {"format": "json"})

    rows = events(EventType.EXPORT)
    assert [(r.actor, r.target) for r in rows] == [
        (world.municipal, reverse("home")),
        (None, reverse("public_lists")),
        (None, reverse("public_lists")),
    ]
    assert [r.detail["content_type"].split(";")[0] for r in rows] == [
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "text/csv",
        "application/json",
    ]


def test_the_retention_sweep_deletes_only_rows_older_than_the_period(world, settings):
    now = timezone.now()
    old = AuditEvent.objects.create(event_type=EventType.LOGIN, at=now - datetime.timedelta(days=200))
    kept = AuditEvent.objects.create(event_type=EventType.LOGIN, at=now - datetime.timedelta(days=170))
    settings.AUDIT_RETENTION_DAYS = 190

    assert SWEEPS["purge_audit_log"](now) != []

    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=kept.pk).exists()
    [purge] = events(EventType.RETENTION_PURGE)
    assert purge.detail == {"deleted": 1, "retention_days": 190}


def test_retention_is_never_below_180_days(world, settings):
    now = timezone.now()
    young = AuditEvent.objects.create(event_type=EventType.LOGIN, at=now - datetime.timedelta(days=100))
    settings.AUDIT_RETENTION_DAYS = 30

    assert purge_audit_log(now) == []
    assert AuditEvent.objects.filter(pk=young.pk).exists()
    from greenfactory import settings as product_settings

    assert product_settings.AUDIT_RETENTION_DAYS >= 180


def test_both_sweeps_are_in_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"greenfactory.sweeps.purge_audit_log", "greenfactory.sweeps.erase_personal_data"} <= tasks


def test_a_lockout_from_axes_is_recorded(world):
    from django.apps import apps

    if not apps.is_installed("axes"):
        pytest.skip("django-axes is not in INSTALLED_APPS yet (installed by the login-protection helper)")
    from axes.signals import user_locked_out
    from django.test import RequestFactory

    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="10.9.9.9")
    user_locked_out.send("axes", request=request, username="city", ip_address="10.9.9.9")
    [row] = events(EventType.LOCKOUT)
    assert (row.actor_username, row.ip_address) == ("city", "10.9.9.9")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgresql_refuses_update_and_delete_of_an_audit_row_but_lets_the_purge_delete_old_rows(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...)")
    now = timezone.now()
    row = AuditEvent.objects.create(event_type=EventType.IDENTITY_VIEW, target="异议 #1")
    old = AuditEvent.objects.create(event_type=EventType.LOGIN, at=now - datetime.timedelta(days=400))
    table = AuditEvent._meta.db_table

    for sql, params in (
        (f"UPDATE {table} SET target = %s WHERE id = %s", ["rewritten", row.pk]),
        (f"DELETE FROM {table} WHERE id = %s", [row.pk]),
        (f"DELETE FROM {table} WHERE id = %s", [old.pk]),  # old, but not through the purge
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    # The purge's switch does not reach a row younger than the legal 180 days, whatever the setting says.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL audit.purge = 'on'")
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [row.pk])

    assert purge_audit_log(now) == [f"1 audit rows older than {(now - datetime.timedelta(days=180)):%Y-%m-%d} deleted"]

    assert AuditEvent.objects.get(pk=row.pk).target == "异议 #1"
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    purge_audit_log(now + datetime.timedelta(days=400))  # "as of" a later date: the database's clock rules
    assert AuditEvent.objects.filter(pk=row.pk).exists()
    with connection.cursor() as cursor:  # the switch ended with the purge's transaction
        cursor.execute("SELECT current_setting('audit.purge', true)")
        assert cursor.fetchone()[0] in ("", None)


def test_user_has_no_audit_of_password_hash(world):
    user = User.objects.get(username="city")
    user.set_password("another-Secret-1")
    user.save()
    assert events(EventType.ROLE_CHANGE) == [] and events(EventType.PERMISSION_CHANGE) == []
