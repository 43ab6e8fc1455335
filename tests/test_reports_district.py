"""第二十五条: real-name reports, with evidence, to the city and the district bureaus.

The district of the unit concerned receives the report (content and evidence, not the reporter's identity
unless the city shares it), records its verification and proposes; the city decides. An officer of
another district sees nothing (404). A report about an agency stays with the city.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from applications import services
from applications.models import RemovalGround, State
from registry import reports
from registry.models import Report
from tests.conftest import make_dossier
from tests.factories import MINIMAL_PDF

pytestmark = pytest.mark.django_db

REPORTER, CONTACT = "赵举报", "13700000000"
NO_EVIDENCE = "Please attach the evidence (Art. 25): a real-name report is accepted with supporting material."


def zh(msgid):
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def evidence():
    return SimpleUploadedFile("举报佐证.pdf", MINIMAL_PDF, content_type="application/pdf")


def report_about(world, organisation=None, agency=None):
    return reports.file_report(
        organisation=organisation,
        agency=agency,
        name=REPORTER,
        contact=CONTACT,
        content="能耗数据造假",
        evidence=evidence(),
    )


def test_a_report_without_evidence_is_refused_on_the_form_and_in_the_service(client, world):
    make_dossier(world.org_a, State.LISTED)
    data = {"target": world.org_a.name, "name": REPORTER, "contact": CONTACT, "content": "能耗数据造假"}

    response = client.post(reverse("public_report"), data)
    with pytest.raises(services.TransitionRefused) as refused:
        reports.file_report(organisation=world.org_a, name=REPORTER, contact=CONTACT, content="能耗数据造假")

    assert response.context["form"].errors["evidence"] == [zh(NO_EVIDENCE)]
    assert refused.value.message == zh(NO_EVIDENCE)
    assert Report.objects.count() == 0


def test_a_report_about_a_unit_reaches_its_district_without_the_reporters_identity(
    client, world, django_capture_on_commit_callbacks
):
    make_dossier(world.org_a, State.LISTED)
    data = {"target": world.org_a.name, "name": REPORTER, "contact": CONTACT, "content": "能耗数据造假"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("public_report"), data | {"evidence": evidence()})
    report = Report.objects.get()

    client.force_login(world.officer_nanshan)
    listing = client.get(reverse("district_reports"))
    page = client.get(reverse("district_report", args=[report.pk]))
    pdf = client.get(reverse("district_report_evidence", args=[report.pk]))
    content = b"".join(pdf.streaming_content)

    assert report.district == world.org_a.district
    assert [n.url for n in world.officer_nanshan.notifications.all()] == [f"/district/reports/{report.pk}/"]
    assert list(listing.context["reports"]) == [report]
    assert (page.status_code, page.context["reporter_visible"], content) == (200, False, MINIMAL_PDF)
    html = page.content.decode()
    assert "能耗数据造假" in html
    assert REPORTER not in html and CONTACT not in html
    assert REPORTER not in listing.content.decode()


def test_an_officer_of_another_district_gets_404(client, world):
    make_dossier(world.org_a, State.LISTED)
    report = report_about(world, organisation=world.org_a)

    client.force_login(world.officer_futian)

    assert list(client.get(reverse("district_reports")).context["reports"]) == []
    for name in ("district_report", "district_report_evidence"):
        assert client.get(reverse(name, args=[report.pk])).status_code == 404
    response = client.post(reverse("district_report", args=[report.pk]), {"findings": "x", "proposal": "remove"})
    assert response.status_code == 404
    with pytest.raises(services.TransitionRefused):
        reports.propose_report_outcome(report, findings="x", proposal="remove", by=world.officer_futian)
    for user in (world.applicant_a, world.agency_user):
        client.force_login(user)
        assert client.get(reverse("district_report", args=[report.pk])).status_code == 404


def test_the_district_sees_the_reporter_once_the_city_shares_the_identity(client, world):
    make_dossier(world.org_a, State.LISTED)
    report = report_about(world, organisation=world.org_a)
    client.force_login(world.municipal)

    client.post(reverse("city_report", args=[report.pk]), {"share": "1", "identity_shared": "1"})

    report.refresh_from_db()
    assert (report.identity_shared, report.identity_shared_by) == (True, world.municipal)
    assert report.identity_shared_at is not None
    client.force_login(world.officer_nanshan)
    assert REPORTER in client.get(reverse("district_report", args=[report.pk])).content.decode()


def test_the_district_verifies_and_proposes_and_the_city_decides_on_that_basis(
    client, world, django_capture_on_commit_callbacks
):
    listed = make_dossier(world.org_a, State.LISTED)
    report = report_about(world, organisation=world.org_a)
    client.force_login(world.officer_nanshan)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("district_report", args=[report.pk]),
            {"findings": "现场核查：电表读数与填报能耗相差40%", "proposal": Report.Proposal.REMOVE},
        )

    report.refresh_from_db()
    assert (report.status, report.district_proposal, report.district_proposed_by) == (
        Report.Status.VERIFYING,
        Report.Proposal.REMOVE,
        world.officer_nanshan,
    )
    assert world.municipal.notifications.latest("pk").url == f"/city/reports/{report.pk}/"
    client.force_login(world.municipal)
    page = client.get(reverse("city_report", args=[report.pk])).content.decode()
    assert "现场核查：电表读数与填报能耗相差40%" in page
    assert zh("Remove from the list") in page
    reports.decide_report(report, decision=Report.Decision.REMOVE, note="经区级核实，数据造假属实", by=world.municipal)
    listed.refresh_from_db()
    assert (listed.state, listed.removal_ground) == (State.REMOVED, RemovalGround.UPHELD_REPORT)


def test_the_district_must_record_findings_and_a_proposal(world):
    report = report_about(world, organisation=world.org_a)
    for findings, proposal in [("", Report.Proposal.RECTIFY), ("已核实", ""), ("已核实", "keep")]:
        with pytest.raises(services.TransitionRefused):
            reports.propose_report_outcome(report, findings=findings, proposal=proposal, by=world.officer_nanshan)
    report.refresh_from_db()
    assert (report.status, report.district_proposal) == (Report.Status.RECEIVED, "")


def test_a_report_about_an_agency_stays_with_the_city(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = report_about(world, agency=world.agency)

    assert report.district is None
    assert (world.officer_nanshan.notifications.count(), world.municipal.notifications.count()) == (0, 1)
    for officer in (world.officer_nanshan, world.officer_futian):
        client.force_login(officer)
        assert list(client.get(reverse("district_reports")).context["reports"]) == []
        assert client.get(reverse("district_report", args=[report.pk])).status_code == 404
    with pytest.raises(services.TransitionRefused):
        reports.share_report_identity(report, share=True, by=world.municipal)
    client.force_login(world.municipal)
    assert client.get(reverse("city_report", args=[report.pk])).status_code == 200
