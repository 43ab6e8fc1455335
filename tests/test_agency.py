"""The agency workspace: quota (第二十四条) and bar (第二十五条) enforced at upload."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.models import State
from tests.conftest import make_dossier
from tests.factories import MINIMAL_PDF, OrganisationFactory, declare_eligible

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("spring")]


def upload(client, dossier):
    data = {"report": SimpleUploadedFile("r.pdf", MINIMAL_PDF), "attested": "on"}
    return client.post(reverse("upload_report", args=[dossier.pk]), data)


def test_agency_uploads_for_its_client_and_sees_its_quota(client, world):
    dossier = make_dossier(world.org_a, year=2027, agency=world.agency)
    client.force_login(world.agency_user)
    assert upload(client, dossier).status_code == 302
    dossier.refresh_from_db()
    assert dossier.report
    home = client.get(reverse("home")).content.decode()
    assert "2027年度已评价：0 / 15（第二十四条）" in home


def test_sixteenth_evaluation_is_refused_at_upload(client, world):
    for _ in range(15):
        org = OrganisationFactory()
        declare_eligible(org)
        make_dossier(org, State.SUBMITTED, year=2027, agency=world.agency)
    sixteenth = make_dossier(world.org_a, year=2027, agency=world.agency)
    client.force_login(world.agency_user)
    response = upload(client, sixteenth)
    assert response.status_code == 200
    assert (
        "第二十四条：第三方机构深圳市丙评价技术有限公司在2027年度已评价15家单位，不得再评价。"
        in response.content.decode()
    )
    sixteenth.refresh_from_db()
    assert not sixteenth.report


def test_barred_agency_cannot_upload_and_is_told_why(client, world):
    world.agency.bar(decided_on=datetime.date(2026, 1, 5), reason="评价报告造假")
    world.agency.save()
    dossier = make_dossier(world.org_a, year=2027, agency=world.agency)
    client.force_login(world.agency_user)
    assert "第二十五条：本机构被禁止至2029-01-05" in client.get(reverse("home")).content.decode()
    response = upload(client, dossier)
    assert "第二十五条" in response.content.decode()
    dossier.refresh_from_db()
    assert not dossier.report


def test_agency_cannot_upload_for_a_dossier_that_did_not_commission_it(client, world):
    dossier = make_dossier(world.org_a, year=2027)
    client.force_login(world.agency_user)
    assert upload(client, dossier).status_code == 404
