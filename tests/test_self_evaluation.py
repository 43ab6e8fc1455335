import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.models import EligibilityDeclaration, ExclusionDeclaration, State, TransitionLog
from tests.conftest import make_dossier
from tests.factories import MINIMAL_PDF, OrganisationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("spring")]


def complete_answers(kind_criteria=("legal_person", "manufacturing"), excluded=()):
    data = {"evaluation_mode": "self", "pledge": "on", "product_unit": "万件", "energy_per_unit": "1.25"}
    for c in kind_criteria:
        data[f"elig_{c}"] = "yes"
        data[f"elig_{c}_evidence"] = "营业执照"
    for n in range(1, 7):
        data[f"excl_{n}"] = "yes" if n in excluded else "no"
        data[f"excl_{n}_evidence"] = "信用中国查询截图"
        if n in excluded:
            data[f"excl_{n}_date"] = "2026-10-01"
    return data


def test_submit_requires_every_answer_with_evidence(client, world):
    org = OrganisationFactory()
    dossier = make_dossier(org, year=2027)
    user = world.applicant_a
    user.organisation = org
    user.save()
    client.force_login(user)
    data = {"evaluation_mode": "self", "submit": "1"}
    response = client.post(reverse("self_evaluation", args=[dossier.pk]), data)
    body = response.content.decode()
    assert "请回答此项" in body
    assert "请上传评价报告PDF文件" in body
    dossier.refresh_from_db()
    assert dossier.state == State.POOLED


def test_full_submission_declares_and_submits(client, world, django_capture_on_commit_callbacks):
    org = OrganisationFactory()
    dossier = make_dossier(org, year=2027)
    user = world.applicant_a
    user.organisation = org
    user.save()
    client.force_login(user)
    data = complete_answers() | {"submit": "1", "report": SimpleUploadedFile("r.pdf", MINIMAL_PDF)}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("self_evaluation", args=[dossier.pk]), data)
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == State.SUBMITTED
    assert EligibilityDeclaration.objects.filter(organisation=org, declared_by=user).count() == 2
    assert ExclusionDeclaration.objects.filter(organisation=org, declared_by=user, applies=False).count() == 6
    assert str(dossier.self_evaluation.energy_per_unit) == "1.2500"
    assert TransitionLog.objects.filter(dossier=dossier, transition="submit", actor=user).count() == 1
    # The district officer is told.
    assert world.officer_nanshan.notifications.filter(title__contains="提交评价").count() == 1


def test_declared_exclusion_refuses_submission_but_keeps_the_draft(client, world):
    org = OrganisationFactory()
    dossier = make_dossier(org, year=2027)
    user = world.applicant_a
    user.organisation = org
    user.save()
    client.force_login(user)
    data = complete_answers(excluded=(6,)) | {"submit": "1", "report": SimpleUploadedFile("r.pdf", MINIMAL_PDF)}
    response = client.post(reverse("self_evaluation", args=[dossier.pk]), data, follow=True)
    assert "第十二条第（六）项" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.state == State.POOLED
    assert dossier.self_evaluation.exclusion_answers["6"]["applies"] is True  # the draft is kept
    assert not ExclusionDeclaration.objects.filter(organisation=org).exists()  # nothing declared


def test_returned_dossier_shows_the_reason_and_can_be_resubmitted(client, world):
    from applications import services

    dossier = make_dossier(world.org_a, State.SUBMITTED, year=2027)
    services.transition(dossier, "return_for_revision", by=world.officer_nanshan, reason="请补充能源审计报告")
    client.force_login(world.applicant_a)
    page = client.get(reverse("dossier_detail", args=[dossier.pk])).content.decode()
    assert "请补充能源审计报告" in page
    data = complete_answers() | {"submit": "1"}
    response = client.post(reverse("self_evaluation", args=[dossier.pk]), data)
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == State.SUBMITTED


def test_other_applicant_cannot_open_the_form(client, world):
    dossier = make_dossier(world.org_a, year=2027)
    client.force_login(world.applicant_b)
    assert client.get(reverse("self_evaluation", args=[dossier.pk])).status_code == 404
