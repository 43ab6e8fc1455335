"""Issue 15, the agency's day: the dossiers awaiting its report (scoped), an upload recorded in the 办理记录 with
the next step, and upload errors that name what is missing (第十四条, 第十五条)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from applications import services
from applications.models import State
from tests.conftest import make_dossier
from tests.factories import MINIMAL_PDF, AgencyFactory, OrganisationFactory, UserFactory, declare_eligible

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("spring")]


def unit(name):
    organisation = OrganisationFactory(name=name)
    declare_eligible(organisation)
    return organisation


def upload(client, dossier, **data):
    data = {"report": SimpleUploadedFile("r.pdf", MINIMAL_PDF), "attested": "on", **data}
    return client.post(reverse("upload_report", args=[dossier.pk]), {k: v for k, v in data.items() if v is not None})


def returned(organisation, agency, officer):
    dossier = make_dossier(organisation, State.SUBMITTED, year=2027, agency=agency)
    return services.transition(dossier, "return_for_revision", by=officer, reason="请补充能源审计报告")


@pytest.fixture
def queue(world):
    """The agency's clients in every situation, and another agency's client."""
    mine = world.agency
    return {
        "no_report": make_dossier(unit("深圳市待评一号有限公司"), year=2027, agency=mine),
        "returned": returned(unit("深圳市退回二号有限公司"), mine, world.officer_nanshan),
        "submitted": make_dossier(unit("深圳市已交三号有限公司"), State.SUBMITTED, year=2027, agency=mine),
        "self": make_dossier(unit("深圳市自评四号有限公司"), year=2027),
        "other_agency": make_dossier(unit("深圳市他评五号有限公司"), year=2027, agency=AgencyFactory(name="另一机构")),
    }


def awaiting_names(response):
    return [d.organisation.name for d in response.context["awaiting"]]


def test_the_agency_home_lists_exactly_the_dossiers_awaiting_its_report(client, world, queue):
    client.force_login(world.agency_user)
    response = client.get(reverse("home"))
    assert awaiting_names(response) == ["深圳市待评一号有限公司", "深圳市退回二号有限公司"]
    html = response.content.decode()
    assert reverse("upload_report", args=[queue["no_report"].pk]) in html
    assert reverse("upload_report", args=[queue["returned"].pk]) in html
    assert "2027-05-30" in html  # the recommendation deadline (第十五条)
    # the whole list page says the same
    page = client.get(reverse("agency_awaiting"))
    assert [d.organisation.name for d in page.context["page"]] == awaiting_names(response)


def test_another_agency_sees_none_of_them_and_other_roles_have_no_list(client, world, queue):
    other = UserFactory(username="other_agency", role="agency", agency=queue["other_agency"].agency)
    client.force_login(other)
    assert awaiting_names(client.get(reverse("home"))) == ["深圳市他评五号有限公司"]
    client.force_login(world.applicant_a)
    assert "awaiting" not in client.get(reverse("home")).context
    assert client.get(reverse("agency_awaiting")).status_code == 404


def test_a_corrected_report_leaves_the_list_shows_in_the_timeline_and_says_what_follows(client, world, queue):
    dossier = queue["returned"]
    client.force_login(world.agency_user)
    assert upload(client, dossier).status_code == 302
    assert awaiting_names(client.get(reverse("home"))) == ["深圳市待评一号有限公司"]

    page = client.get(reverse("dossier_detail", args=[dossier.pk]))
    html = page.content.decode()
    step = _("Report uploaded; the unit must submit it to the district bureau before %(day)s (Art. 14, 15).")
    assert escape(step % {"day": "2027-05-30"}) in html  # 报告已上传；请企业在2027-05-30前提交至区工信部门…
    entries = page.context["timeline"]
    kinds = [("report" if getattr(e, "is_report", False) else e.transition) for e in entries]
    assert kinds == ["create", "submit", "return_for_revision", "report"]  # merged by time
    assert 'data-testid="timeline-report"' in html
    assert escape(_("Evaluation report uploaded (version %(n)s)") % {"n": 1}) in html


def test_the_applicant_is_told_the_corrected_report_arrived(client, world):
    dossier = returned(world.org_a, world.agency, world.officer_nanshan)
    client.force_login(world.agency_user)
    upload(client, dossier)
    client.force_login(world.applicant_a)
    html = client.get(reverse("dossier_detail", args=[dossier.pk])).content.decode()
    step = _(
        "The agency uploaded the corrected report; check it and submit again to the district bureau "
        "before %(day)s (Art. 14, 15)."
    )
    assert escape(step % {"day": "2027-05-30"}) in html


def test_upload_errors_say_what_is_missing(client, world, queue):
    client.force_login(world.agency_user)
    html = upload(client, queue["no_report"], report=None).content.decode()
    assert escape(_("Please upload the evaluation report (PDF, Art. 14).")) in html  # 请上传评价报告（PDF，第十四条）
    assert escape(_("This field is required.")) not in html
    html = upload(client, queue["no_report"], attested=None).content.decode()
    assert escape(_("Please tick the truthfulness pledge (Art. 14).")) in html  # 请勾选真实性承诺
    assert escape(_("This field is required.")) not in html
    assert "请重新选择报告文件" in html  # the browser forgot the chosen file: say so
    queue["no_report"].refresh_from_db()
    assert not queue["no_report"].report


def test_the_timeline_takes_two_queries_whatever_the_number_of_uploads(world, django_assert_num_queries):
    from applications.views.dossiers import timeline

    dossier = make_dossier(world.org_a, year=2027, agency=world.agency)
    for _upload in range(3):
        services.attach_report(
            dossier, uploaded_file=SimpleUploadedFile("r.pdf", MINIMAL_PDF), attested=True, by=world.agency_user
        )
    with django_assert_num_queries(2):
        entries = timeline(dossier)
    reports = [e for e in entries if getattr(e, "is_report", False)]
    assert [r.number for r in reports] == [1, 2, 3] and [r.replaced for r in reports] == [True, True, False]
