"""Uploads are checked by content; a bad file gives a clear message and leaves the dossier unchanged."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.models import State
from tests.conftest import make_dossier
from tests.factories import MINIMAL_PDF

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64


def stored(field):
    with field.open("rb") as f:
        return f.read()


def post_report(client, dossier, content, name="report.pdf"):
    data = {"pledge": "on", "save": "1", "report": SimpleUploadedFile(name, content, content_type="application/pdf")}
    return client.post(reverse("self_evaluation_step", args=[dossier.pk, "report"]), data)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (PNG, "该文件不是PDF文件"),
        (b"", "文件为空"),
        (b"%PDF-1.4\n" + b"0" * (25 * 1024 * 1024), "超过上限20.0"),
    ],
    ids=["renamed-png", "empty", "25-MB"],
)
def test_bad_report_is_refused_and_nothing_changes(client, world, content, message):
    dossier = make_dossier(world.org_a)
    history = dossier.history.count()
    client.force_login(world.applicant_a)
    response = post_report(client, dossier, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    dossier.refresh_from_db()
    assert (bool(dossier.report), dossier.history.count()) == (False, history)
    assert not dossier.self_evaluation.pledge  # the step's other fields were not saved either


def test_real_pdf_is_accepted_with_the_draft(client, world):
    dossier = make_dossier(world.org_a)
    client.force_login(world.applicant_a)
    response = post_report(client, dossier, MINIMAL_PDF)
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert stored(dossier.report) == MINIMAL_PDF
    assert dossier.report_attested is True


def test_report_without_pledge_saves_nothing(client, world):
    dossier = make_dossier(world.org_a)
    client.force_login(world.applicant_a)
    data = {"save": "1", "report": SimpleUploadedFile("r.pdf", MINIMAL_PDF)}
    response = client.post(reverse("self_evaluation_step", args=[dossier.pk, "report"]), data)
    assert "第十四条" in response.content.decode()
    dossier.refresh_from_db()
    assert not dossier.report
    assert not dossier.report_versions.exists()


def test_files_are_served_only_within_scope(client, world, assign):
    dossier = make_dossier(world.org_a, State.SUBMITTED)
    url = reverse("dossier_file", args=[dossier.pk, "report"])
    client.force_login(world.applicant_a)
    response = client.get(url)
    assert response.status_code == 200
    # Consuming the stream lets the test client close the file without closing the database connection.
    assert b"".join(response.streaming_content) == stored(dossier.report)
    for outsider in (world.applicant_b, world.officer_futian, world.expert):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    client.force_login(world.officer_nanshan)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    client.force_login(world.applicant_a)
    assert client.get(reverse("dossier_file", args=[dossier.pk, "evidence"])).status_code == 404


def test_media_files_have_no_public_url(client, world):
    dossier = make_dossier(world.org_a, State.SUBMITTED)
    assert client.get("/media/" + dossier.report.name).status_code == 404


def test_evidence_file_is_not_served_outside_scope(client, world):
    from applications.models import SelfEvaluation

    dossier = make_dossier(world.org_a, State.SUBMITTED)
    evaluation, _created = SelfEvaluation.objects.get_or_create(dossier=dossier)
    evaluation.evidence_file.save("evidence.pdf", SimpleUploadedFile("evidence.pdf", MINIMAL_PDF))
    url = reverse("dossier_file", args=[dossier.pk, "evidence"])
    client.force_login(world.officer_futian)
    assert client.get(url).status_code == 404
    client.force_login(world.applicant_a)
    response = client.get(url)
    assert b"".join(response.streaming_content) == MINIMAL_PDF
