"""三员分立 (GB/T 22239-2019, level 3): three administrators, one role per account, none sees business data;
the superuser is for installation only."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts import scoping
from accounts.models import ADMIN_ROLES, Role, User
from applications.models import State
from audit.models import AuditEvent, EventType
from registry import reports
from tests.conftest import make_dossier
from tests.factories import UserFactory
from tests.test_reports_district import evidence

pytestmark = pytest.mark.django_db


@pytest.fixture
def admins(world):
    return {role: UserFactory(username=role.value, role=role) for role in ADMIN_ROLES}


def test_an_administrator_account_cannot_be_a_superuser_or_staff_on_any_path(admins):
    sysadmin = admins[Role.SYSADMIN]
    sysadmin.is_superuser = True
    with pytest.raises(ValidationError):
        sysadmin.full_clean()
    with pytest.raises(ValidationError):
        sysadmin.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=sysadmin.pk).update(is_staff=True)  # the database's own constraint
    assert User.objects.get(pk=sysadmin.pk).is_superuser is False


def test_the_three_administrators_see_no_business_data(client, world, admins):
    make_dossier(world.org_a, State.LISTED)
    report = reports.file_report(
        organisation=world.org_a,
        agency=None,
        name="赵举报",
        contact="13700000000",
        content="数据造假",
        evidence=evidence(),
    )
    for user in admins.values():
        assert list(scoping.dossiers_for(user)) == []
        assert list(scoping.organisations_for(user)) == []
        assert list(scoping.agencies_for(user)) == []
        assert list(scoping.objections_for(user)) == []
        assert list(scoping.reports_for(user)) == []
        assert list(scoping.annual_reports_for(user)) == []
        assert list(scoping.issued_documents_for(user)) == []
        assert scoping.reporter_visible(user, report) is False
        assert scoping.objector_visible(user) is False
        client.force_login(user)
        assert client.get(reverse("dossier_detail", args=[world.org_a.dossiers.get().pk])).status_code == 404
        assert client.get(reverse("city_report", args=[report.pk])).status_code == 404


def test_each_administrators_workspace_is_their_screen(client, admins):
    homes = {Role.SYSADMIN: "duties_users", Role.SECADMIN: "duties_roles", Role.AUDITADMIN: "audit_log"}
    for role, user in admins.items():
        client.force_login(user)
        response = client.get(reverse("home"))
        assert response.status_code == 302
        assert client.get(response.url).url == reverse(homes[role])
        page = client.get(reverse(homes[role]))
        assert page.status_code == 200
        assert f'href="{reverse(homes[role])}" data-testid="nav-duties"' in page.content.decode()
        for other_role, other in homes.items():
            if other_role != role:
                assert client.get(reverse(other)).status_code == 403


def test_business_roles_may_not_open_the_administrators_screens(client, world):
    client.force_login(world.municipal)
    for name in ("duties_users", "duties_roles", "audit_log"):
        assert client.get(reverse(name)).status_code == 403


def test_the_superuser_is_refused_in_the_workspace_but_keeps_the_admin_site(client, world, settings):
    settings.SUPERUSER_REFUSED_IN_WORKSPACE = True
    root = UserFactory(username="root", role="", is_superuser=True, is_staff=True)
    client.force_login(root)

    response = client.get(reverse("home"))

    assert response.url == reverse("superuser_refused")
    page = client.get(response.url).content.decode()
    assert "超级用户仅用于系统安装" in page or "installation only" in page
    assert client.get(reverse("dashboard")).url == reverse("superuser_refused")
    assert client.get(reverse("admin:index")).status_code == 200
    [row] = AuditEvent.objects.filter(event_type=EventType.SUPERUSER_REFUSED).order_by("pk")[:1]
    assert (row.actor, row.target) == (root, reverse("home"))


def test_the_system_administrator_creates_and_deactivates_accounts_without_granting_roles(client, admins, world):
    client.force_login(admins[Role.SYSADMIN])
    response = client.post(
        reverse("duties_users"),
        {
            "username": "newcomer",
            "last_name": "林",
            "first_name": "新",
            "email": "n@example.com",
            "phone": "",
            "password1": "Green-Factory-2026!",
            "password2": "Green-Factory-2026!",
            "role": Role.MUNICIPAL,  # not a field of the form: the security administrator grants roles
        },
    )
    assert response.status_code == 302
    newcomer = User.objects.get(username="newcomer")
    assert (newcomer.role, newcomer.is_active) == ("", True)
    [created] = AuditEvent.objects.filter(event_type=EventType.ACCOUNT_CREATED, object_id=str(newcomer.pk))
    assert created.actor == admins[Role.SYSADMIN]

    client.post(reverse("duties_set_active", args=[newcomer.pk, 0]))

    newcomer.refresh_from_db()
    assert newcomer.is_active is False
    [deactivated] = AuditEvent.objects.filter(event_type=EventType.ACCOUNT_DEACTIVATED)
    assert (deactivated.actor, deactivated.object_id) == (admins[Role.SYSADMIN], str(newcomer.pk))
    assert client.get(reverse("duties_grant", args=[newcomer.pk])).status_code == 403


def test_the_security_administrator_grants_a_role_and_the_change_is_logged(client, admins, world):
    secadmin = admins[Role.SECADMIN]
    client.force_login(secadmin)
    target = world.expert

    response = client.post(reverse("duties_grant", args=[target.pk]), {"role": Role.DISTRICT, "district": ""})
    assert response.status_code == 200  # a district officer needs a district: the form says so
    assert User.objects.get(pk=target.pk).role == Role.EXPERT
    district = world.officer_nanshan.district
    response = client.post(reverse("duties_grant", args=[target.pk]), {"role": Role.DISTRICT, "district": district.pk})

    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.role, target.district) == (Role.DISTRICT, district)
    [row] = AuditEvent.objects.filter(event_type=EventType.ROLE_CHANGE)
    assert (row.actor, row.actor_role, row.object_id) == (secadmin, Role.SECADMIN, str(target.pk))
    assert row.detail["changes"] == {
        "role": {"old": "expert", "new": "district"},
        "district_id": {"old": None, "new": district.pk},
    }
    assert client.get(reverse("duties_grant", args=[secadmin.pk])).status_code == 403  # not their own


def test_the_security_administrator_unlocks_and_resets_the_second_factor_with_audit(client, admins, world):
    client.force_login(admins[Role.SECADMIN])
    client.post(reverse("duties_unlock", args=[world.municipal.pk]))
    client.post(reverse("duties_reset_second_factor", args=[world.municipal.pk]))
    rows = AuditEvent.objects.filter(event_type__in=[EventType.UNLOCK, EventType.SECOND_FACTOR_RESET]).order_by("pk")
    assert [(r.event_type, r.object_id, r.actor) for r in rows] == [
        (EventType.UNLOCK, str(world.municipal.pk), admins[Role.SECADMIN]),
        (EventType.SECOND_FACTOR_RESET, str(world.municipal.pk), admins[Role.SECADMIN]),
    ]


def test_the_audit_administrator_searches_and_exports_the_log(client, admins, world):
    now = timezone.now()
    AuditEvent.objects.create(event_type=EventType.LOGIN_FAILED, actor_username="mallory", target="mallory", at=now)
    AuditEvent.objects.create(
        event_type=EventType.LOGIN, actor_username="city", at=now - datetime.timedelta(days=40), target="旧登录"
    )
    client.force_login(admins[Role.AUDITADMIN])
    url = reverse("audit_log")

    def found(**query):
        return [e.actor_username for e in client.get(url, query).context["page"]]

    assert found(event_type=EventType.LOGIN_FAILED) == ["mallory"]
    assert found(actor="city", event_type=EventType.LOGIN) == ["city"]
    assert found(q="旧登录") == ["city"]
    assert found(start=(now - datetime.timedelta(days=1)).date().isoformat(), actor="city") == []

    response = client.get(url, {"event_type": EventType.LOGIN_FAILED, "format": "xlsx"})

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][1] == "mallory"
    [export] = AuditEvent.objects.filter(event_type=EventType.EXPORT)
    assert (export.actor, export.target) == (admins[Role.AUDITADMIN], url)
    assert "format=xlsx" in export.detail["path"]
