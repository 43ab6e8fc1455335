"""Personal information of objectors and reporters (个人信息保护法): masked except for the staff handling the
case, the forms say what is collected and why, and contact details are erased after the retention period."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from applications.models import State
from audit.models import AuditEvent, EventType
from audit.personal_data import mask
from greenfactory.sweeps import SWEEPS
from registry import reports
from registry.models import Report
from reviews.models import Objection
from tests.conftest import at, make_dossier
from tests.factories import UserFactory
from tests.test_municipal import running_publicity  # noqa: F401 - the fixture
from tests.test_reports_district import evidence

pytestmark = pytest.mark.django_db


@pytest.fixture
def publicity(request):
    """test_municipal's running publicity (two units in review, publicised from 28 September 2026)."""
    return request.getfixturevalue("running_publicity")


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("张三", "张*"),
        ("欧阳娜娜", "欧***"),
        ("13912340000", "139****0000"),
        ("440301199001011234", "440***********1234"),
        ("zhao@example.com", "z***@example.com"),
        ("某", "*"),
        ("", ""),
    ],
)
def test_one_masking_helper_for_names_phones_and_id_numbers(value, masked):
    assert mask(value) == masked


def report_by_zhao(world):
    make_dossier(world.org_a, State.LISTED)
    return reports.file_report(
        organisation=world.org_a,
        agency=None,
        name="赵举报",
        contact="13700000000",
        content="数据造假",
        evidence=evidence(),
        email="zhao@example.com",
    )


def test_city_staff_not_handling_a_report_see_the_reporter_masked(client, world):
    report = report_by_zhao(world)
    handler = UserFactory(username="handler", role=Role.STAFF)
    reports.assign_report(report, to=handler, by=world.municipal)

    client.force_login(world.municipal)  # city staff, but the report is another's
    page = client.get(reverse("city_report", args=[report.pk])).content.decode()
    assert "赵举报" not in page and "13700000000" not in page
    assert "赵** · 137****0000" in page
    assert not AuditEvent.objects.filter(event_type=EventType.IDENTITY_VIEW).exists()

    client.force_login(handler)
    page = client.get(reverse("city_report", args=[report.pk])).content.decode()
    assert "赵举报 · 13700000000" in page
    assert AuditEvent.objects.get(event_type=EventType.IDENTITY_VIEW).actor == handler


def test_the_public_forms_say_what_is_collected_why_and_for_how_long(client, world, publicity, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 365
    batch, _first, _second = publicity
    with time_machine.travel(at(2026, 9, 29), tick=False):
        objection_form = client.get(reverse("public_publicity", args=[batch.pk])).content.decode()
    report_form = client.get(reverse("public_report")).content.decode()
    for page in (objection_form, report_form):
        assert 'data-testid="privacy-notice"' in page
        assert "365" in page
    assert "第十七条" in objection_form or "Art. 17" in objection_form
    assert "第二十五条" in report_form or "Art. 25" in report_form


def decided_objection(dossier, *, decided_at, status=Objection.Status.DISMISSED):
    objection = Objection.objects.create(
        dossier=dossier,
        objector_kind="person",
        objector_name="王秘密",
        objector_phone="13912340000",
        contact_email="wang@example.com",
        content="异议",
        fingerprint="f" * 64,
    )
    Objection.objects.filter(pk=objection.pk).update(status=status, decided_at=decided_at)
    return Objection.objects.get(pk=objection.pk)


def test_the_sweep_erases_contact_details_after_the_retention_period(world, publicity, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 365
    _batch, first, second = publicity
    now = timezone.now()
    old = decided_objection(first, decided_at=now - datetime.timedelta(days=400))
    recent = decided_objection(second, decided_at=now - datetime.timedelta(days=30))
    pending = decided_objection(second, decided_at=None, status=Objection.Status.PENDING)
    make_dossier(world.org_b, State.LISTED)
    report = reports.file_report(
        organisation=world.org_b,
        agency=None,
        name="赵举报",
        contact="13700000000",
        content="x",
        evidence=evidence(),
        email="zhao@example.com",
    )
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.DECIDED, decided_at=now - datetime.timedelta(days=366)
    )

    changes = SWEEPS["erase_personal_data"](now)

    assert len(changes) == 2
    old.refresh_from_db()
    assert (old.objector_name, old.objector_phone, old.contact_email, old.fingerprint) == ("王**", "", "", "")
    assert {h.objector_phone for h in Objection.history.filter(id=old.pk)} <= {""}
    for kept in (recent, pending):
        kept.refresh_from_db()
        assert (kept.objector_name, kept.objector_phone) == ("王秘密", "13912340000")
    report.refresh_from_db()
    assert (report.reporter_name, report.reporter_contact, report.reporter_email) == ("赵**", "", "")
    assert not Report.history.filter(id=report.pk, reporter_contact="13700000000").exists()
    erased = AuditEvent.objects.filter(event_type=EventType.PERSONAL_DATA_ERASED).order_by("pk")
    assert [(e.object_type, e.object_id, e.actor) for e in erased] == [
        ("reviews.objection", str(old.pk), None),
        ("registry.report", str(report.pk), None),
    ]
    assert SWEEPS["erase_personal_data"](now) == []  # a second run changes nothing


def test_the_admin_never_shows_an_objectors_or_reporters_identity(client, world, publicity):
    _batch, first, _second = publicity
    objection = decided_objection(first, decided_at=None, status=Objection.Status.PENDING)
    make_dossier(world.org_b, State.LISTED)
    report = reports.file_report(
        organisation=world.org_b, name="赵举报", contact="13700000000", content="x", evidence=evidence()
    )
    admin = UserFactory(username="installer", is_superuser=True, is_staff=True)
    client.force_login(admin)
    pages = [
        reverse("admin:reviews_objection_change", args=[objection.pk]),
        reverse("admin:reviews_objection_changelist"),
        reverse("admin:registry_report_change", args=[report.pk]),
        reverse("admin:registry_report_changelist"),
        reverse("admin:reviews_objection_history", args=[objection.pk]),
        reverse("admin:registry_report_history", args=[report.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for secret in (objection.objector_name, objection.objector_phone, "赵举报", "13700000000"):
            assert secret not in html, (url, secret)
