"""The applicant's step-by-step self-evaluation (issue 10): steps save, evidence is kept, errors link to
their fields, the checklist names the rule, and a complete evaluation is submitted with its score frozen."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications import evaluations, examples
from applications.models import (
    EligibilityDeclaration,
    EvidenceFile,
    ExclusionDeclaration,
    ItemKind,
    ReportVersion,
    State,
    TransitionLog,
)
from reviews.models import Round
from tests.conftest import make_dossier
from tests.factories import MINIMAL_PDF, OrganisationFactory, declare_eligible

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("spring")]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def step_url(dossier, step):
    return reverse("self_evaluation_step", args=[dossier.pk, step])


@pytest.fixture
def own(world):
    """A pooled 2027 dossier of a fresh unit, and its applicant logged-in client data."""
    org = OrganisationFactory()
    user = world.applicant_a
    user.organisation = org
    user.save()
    return make_dossier(org, year=2027), user


BASIC = {
    "org-industry": "C39 计算机、通信和其他电子设备制造业",
    "org-ownership": "民营",
    "org-address": "深圳市南山区科技园1号",
    "org-legal_representative": "张三",
    "org-contact_name": "李四",
    "org-contact_phone": "0755-26000000",
    "evaluation_mode": "self",
}


def eligibility(met="yes"):
    return {
        "elig_legal_person": met,
        "elig_legal_person_evidence": "营业执照",
        "elig_manufacturing": met,
        "elig_manufacturing_evidence": "生产许可证",
    }


def exclusions(excluded=()):
    data = {}
    for n in range(1, 7):
        data[f"excl_{n}"] = "yes" if n in excluded else "no"
        data[f"excl_{n}_evidence"] = "信用中国查询截图"
        if n in excluded:
            data[f"excl_{n}_date"] = "2026-10-01"
    return data


def item_answers(dossier):
    data = {}
    for item in evaluations.applicable_template(dossier).ordered_items():
        if item.kind == ItemKind.QUANTITATIVE:
            data[f"value_{item.code}"] = str(item.leading)
        else:
            data[f"met_{item.code}"] = "yes"
        data[f"note_{item.code}"] = "见证明材料"
    return data


def test_opening_the_form_goes_to_the_first_unsaved_step_and_each_step_keeps_its_answers(client, own):
    dossier, user = own
    client.force_login(user)
    assert client.get(reverse("self_evaluation", args=[dossier.pk])).url == step_url(dossier, "basic")
    response = client.post(step_url(dossier, "basic"), BASIC | {"next": "1"})
    assert response.url == step_url(dossier, "eligibility")
    client.post(step_url(dossier, "eligibility"), eligibility())
    # Leaving and coming back: the entry goes to the next unsaved step, and saved steps show their answers.
    assert client.get(reverse("self_evaluation", args=[dossier.pk])).url == step_url(dossier, "exclusions")
    page = client.get(step_url(dossier, "eligibility")).content.decode()
    assert "生产许可证" in page
    assert 'value="yes" class="form-check-input" required' not in page
    page = client.get(step_url(dossier, "basic")).content.decode()
    assert "深圳市南山区科技园1号" in page
    assert page.count("✓") == 2  # two of six steps saved, marked in the progress list
    dossier.organisation.refresh_from_db()
    assert dossier.organisation.industry.startswith("C39")


def test_evidence_is_kept_when_another_field_fails_and_is_numbered_in_item_order(client, own):
    dossier, user = own
    client.force_login(user)
    data = {
        "value_EN1": "not a number",
        "evidence_EN2": [SimpleUploadedFile("光伏发电量.pdf", MINIMAL_PDF), SimpleUploadedFile("现场.png", PNG)],
        "evidence_EN1": [SimpleUploadedFile("能源审计.jpg", JPEG)],
    }
    response = client.post(step_url(dossier, "items"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="error-summary"' in body
    assert 'href="#item-EN1"' in body  # the error links to its field
    files = EvidenceFile.objects.filter(evaluation__dossier=dossier)
    assert sorted(files.values_list("original_name", flat=True)) == ["光伏发电量.pdf", "现场.png", "能源审计.jpg"]
    index = [(n, f.item.code, f.original_name) for n, f in evaluations.evidence_index(dossier.self_evaluation)]
    assert index == [(1, "EN1", "能源审计.jpg"), (2, "EN2", "光伏发电量.pdf"), (3, "EN2", "现场.png")]
    assert "现场.png" in body  # shown again on the re-rendered form


def test_a_file_that_is_not_pdf_jpeg_or_png_is_refused_by_content(client, own):
    dossier, user = own
    client.force_login(user)
    data = {"evidence_EN2": [SimpleUploadedFile("伪装.pdf", b"MZ\x90\x00 not a pdf")]}
    body = client.post(step_url(dossier, "items"), data).content.decode()
    assert "伪装.pdf" in body
    assert not EvidenceFile.objects.filter(evaluation__dossier=dossier).exists()


def test_withdrawn_evidence_leaves_the_index_but_is_kept(client, own):
    dossier, user = own
    client.force_login(user)
    client.post(step_url(dossier, "items"), {"evidence_EN2": [SimpleUploadedFile("a.pdf", MINIMAL_PDF)]})
    evidence = EvidenceFile.objects.get(evaluation__dossier=dossier)
    client.post(step_url(dossier, "items"), {"withdraw": str(evidence.pk), "value_EN2": "12"})
    evidence.refresh_from_db()
    assert evidence.withdrawn_at is not None
    assert evaluations.evidence_index(dossier.self_evaluation) == []
    assert evaluations.answers_of(dossier.self_evaluation)["EN2"]["value"] == Decimal(12)


def test_the_last_step_lists_what_is_missing_with_the_rule_and_a_link(client, own):
    dossier, user = own
    client.force_login(user)
    body = client.get(step_url(dossier, "report")).content.decode()
    assert 'data-testid="checklist"' in body
    assert "第十二条" in body
    assert step_url(dossier, "items") + "#item-EN1" in body
    response = client.post(step_url(dossier, "report"), {"submit": "1", "pledge": "on"}, follow=True)
    dossier.refresh_from_db()
    assert dossier.state == State.POOLED
    assert "未提交" in response.content.decode()


def test_full_submission_through_every_step(client, own, django_capture_on_commit_callbacks, world):
    dossier, user = own
    Round.objects.create(year=2027, kind="factory", pass_mark=Decimal(80))
    client.force_login(user)
    client.post(step_url(dossier, "basic"), BASIC)
    client.post(step_url(dossier, "eligibility"), eligibility())
    client.post(step_url(dossier, "exclusions"), exclusions())
    uploads = {
        f"evidence_{item.code}": [SimpleUploadedFile(f"{item.code}.pdf", MINIMAL_PDF)]
        for item in evaluations.applicable_template(dossier).ordered_items()
        if item.evidence_required
    }
    response = client.post(step_url(dossier, "items"), item_answers(dossier) | uploads)
    assert response.status_code == 302, response.content.decode()[:3000]
    client.post(step_url(dossier, "plan"), {"problems_and_plan": "余热回收不足；明年改造空压机。"})
    page = client.get(step_url(dossier, "report")).content.decode()
    assert "第十四条" in page  # the signed report is still missing
    scan = SimpleUploadedFile("签章扫描件.pdf", MINIMAL_PDF)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(step_url(dossier, "report"), {"pledge": "on", "report": scan, "submit": "1"})
    assert response.status_code == 302
    assert response.url == reverse("dossier_detail", args=[dossier.pk])
    dossier.refresh_from_db()
    assert dossier.state == State.SUBMITTED
    assert EligibilityDeclaration.objects.filter(organisation=dossier.organisation, declared_by=user).count() == 2
    assert ExclusionDeclaration.objects.filter(organisation=dossier.organisation, applies=False).count() == 6
    assert TransitionLog.objects.filter(dossier=dossier, transition="submit", actor=user).count() == 1
    snapshot = dossier.evaluation_snapshots.get()
    assert (snapshot.total, snapshot.pass_mark, snapshot.submitted_by) == (Decimal(100), Decimal(80), user)
    assert snapshot.template.is_frozen
    assert ReportVersion.objects.get(dossier=dossier).source == ReportVersion.Source.APPLICANT
    # Nothing can be edited after submission.
    assert client.post(step_url(dossier, "items"), item_answers(dossier)).status_code == 404


def test_a_score_below_the_rounds_pass_mark_is_not_submitted(world):
    from applications import services

    Round.objects.create(year=2027, kind="factory", pass_mark=Decimal(99))
    organisation = OrganisationFactory()
    declare_eligible(organisation)
    dossier = make_dossier(organisation, year=2027)
    examples.fill(dossier, strength=0.0, shared_evidence=True)  # every figure at its baseline
    dossier.report.save("r.pdf", SimpleUploadedFile("r.pdf", MINIMAL_PDF), save=False)
    dossier.report_attested = True
    dossier.save()
    with pytest.raises(services.TransitionRefused, match="99"):
        services.transition(dossier, "submit", now=None)


def test_a_declared_exclusion_refuses_submission_but_keeps_the_draft(client, own):
    dossier, user = own
    examples.fill(dossier, by=user, shared_evidence=True)
    client.force_login(user)
    client.post(step_url(dossier, "basic"), BASIC)
    client.post(step_url(dossier, "eligibility"), eligibility())
    client.post(step_url(dossier, "exclusions"), exclusions(excluded=(6,)))
    scan = SimpleUploadedFile("r.pdf", MINIMAL_PDF)
    response = client.post(step_url(dossier, "report"), {"pledge": "on", "report": scan, "submit": "1"}, follow=True)
    assert "第十二条第（六）项" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.state == State.POOLED
    assert dossier.self_evaluation.exclusion_answers["6"]["applies"] is True


def test_returned_dossier_is_revised_and_resubmitted_with_what_changed(client, world):
    from applications import services

    dossier = make_dossier(world.org_a, State.SUBMITTED, year=2027)
    services.transition(dossier, "return_for_revision", by=world.officer_nanshan, reason="请补充能源审计报告")
    client.force_login(world.applicant_a)
    page = client.get(step_url(dossier, "items")).content.decode()
    assert "请补充能源审计报告" in page
    data = {}
    for code, answer in evaluations.answers_of(evaluations.evaluation_of(dossier)).items():
        if answer["value"] is not None:
            data[f"value_{code}"] = str(answer["value"])
        else:
            data[f"met_{code}"] = "yes" if answer["met"] else "no"
        data[f"note_{code}"] = answer["note"]
    assert client.post(step_url(dossier, "items"), data | {"value_EN2": "25"}).status_code == 302
    response = client.post(step_url(dossier, "report"), {"pledge": "on", "submit": "1"})
    assert response.url == reverse("dossier_detail", args=[dossier.pk]), [
        str(m) for m in response.wsgi_request._messages
    ]
    dossier.refresh_from_db()
    assert dossier.state == State.SUBMITTED
    assert list(evaluations.changes_since_previous(dossier)) == ["EN2"]


def test_commissioned_agency_fills_the_items_and_its_result(client, world):
    org = OrganisationFactory()
    dossier = make_dossier(org, year=2027, agency=world.agency)
    client.force_login(world.agency_user)
    assert client.get(reverse("self_evaluation", args=[dossier.pk])).url == step_url(dossier, "items")
    response = client.post(step_url(dossier, "items"), item_answers(dossier))
    assert response.status_code == 302
    data = {"agency_basic_met": "yes", "agency_score": "100", "agency_highlights": "光" * 101, "agency_pledge": "on"}
    assert client.post(step_url(dossier, "conclusion"), data).status_code == 200  # highlights at most 100
    data["agency_highlights"] = "屋顶光伏与余热回收并举"
    assert client.post(step_url(dossier, "conclusion"), data).status_code == 302
    evaluation = evaluations.evaluation_of(dossier)
    assert (evaluation.agency_score, evaluation.agency_concluded_by) == (Decimal(100), world.agency_user)
    # The agency does not fill the unit's own steps, and the applicant does not fill the agency's.
    assert client.post(step_url(dossier, "basic"), BASIC).status_code == 404
    applicant = world.applicant_a
    applicant.organisation = org
    applicant.save()
    client.force_login(applicant)
    assert client.post(step_url(dossier, "items"), item_answers(dossier)).status_code == 404
    assert "只读" in client.get(step_url(dossier, "items")).content.decode()


def test_agency_report_uploads_are_versions_that_are_all_kept(client, world):
    dossier = make_dossier(OrganisationFactory(), year=2027, agency=world.agency)
    client.force_login(world.agency_user)
    for name in ("first.pdf", "second.pdf"):
        data = {"report": SimpleUploadedFile(name, MINIMAL_PDF + name.encode()), "attested": "on"}
        assert client.post(reverse("upload_report", args=[dossier.pk]), data).status_code == 302
    versions = list(ReportVersion.objects.filter(dossier=dossier))
    assert [v.source for v in versions] == [ReportVersion.Source.AGENCY] * 2
    assert versions[0].file.name != versions[1].file.name
    assert versions[0].sha256 != versions[1].sha256
    with versions[0].file.open("rb") as first:
        assert first.read().endswith(b"first.pdf")


def test_other_applicant_cannot_open_the_form(client, world):
    dossier = make_dossier(world.org_a, year=2027)
    client.force_login(world.applicant_b)
    assert client.get(reverse("self_evaluation", args=[dossier.pk])).status_code == 404
    assert client.get(step_url(dossier, "items")).status_code == 404
