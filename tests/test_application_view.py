"""The whole application as reviewers see it (issue 10), its evidence route and the conformity checklist."""

import datetime
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from applications import evaluations, services
from applications.examples import EXAMPLE_PDF
from applications.models import (
    EligibilityDeclaration,
    EvidenceFile,
    ExclusionCondition,
    ItemKind,
    State,
)
from reviews.models import Round
from tests.conftest import at, below_the_model, make_dossier
from tests.factories import MINIMAL_PDF, OrganisationFactory, declare_eligible

pytestmark = pytest.mark.django_db

ELIGIBILITY_EVIDENCE = "营业执照（统一社会信用代码）及深圳市市场监管局登记信息"
EXCLUSION_EVIDENCE = "市生态环境局行政处罚决定书（深环罚〔2020〕12号）"


def english(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def row_of(body, code):
    """The <tr> of item ``code`` in the item table."""
    match = re.search(rf'<tr id="item-{re.escape(code)}".*?</tr>', body, re.S)
    assert match, f"no row for {code}"
    return match.group(0)


def status_of(client, url):
    """The status of a (file) response. Its stream is consumed, which closes the file; ``response.close()``
    would fire request_finished and close the database connection (fatal on PostgreSQL in a test)."""
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)
    return response.status_code


def eligible_unit():
    organisation = OrganisationFactory()
    declare_eligible(organisation)
    return organisation


def quantitative_item(dossier):
    template = dossier.evaluation_snapshots.first().template
    return template.ordered_items().filter(kind=ItemKind.QUANTITATIVE).first()


@pytest.fixture
def submitted(world):
    """org_a's 2026 factory dossier, submitted, with eligibility answers and dated declarations."""
    dossier = make_dossier(world.org_a, State.SUBMITTED, year=2026)
    evaluation = dossier.self_evaluation
    evaluation.eligibility_answers = {
        "legal_person": {"met": True, "evidence": ELIGIBILITY_EVIDENCE},
        "manufacturing": {"met": True, "evidence": "生产许可证"},
    }
    evaluation.save()
    # The fixture world's declarations were made when the unit entered the pool; the applicant's is later.
    # Declarations are kept as written (the model refuses updates): the past is arranged below the model.
    with below_the_model():
        EligibilityDeclaration._base_manager.filter(organisation=world.org_a).update(declared_at=at(2026, 1, 10))
    EligibilityDeclaration.objects.create(
        organisation=world.org_a,
        kind="factory",
        criterion="legal_person",
        satisfied=True,
        evidence=ELIGIBILITY_EVIDENCE,
        declared_by=world.applicant_a,
        declared_at=at(2026, 3, 1, 9, 30),
    )
    # A dated Art. 12 fact recorded by the district (it ended in 2023, so nothing is blocked now).
    declaration = services.record_exclusion(
        world.org_a,
        condition=ExclusionCondition.ACCIDENT_OR_VIOLATION,
        event_date=datetime.date(2020, 5, 6),
        evidence=EXCLUSION_EVIDENCE,
        by=world.officer_nanshan,
    )
    with below_the_model():
        type(declaration)._base_manager.filter(pk=declaration.pk).update(declared_at=at(2026, 3, 2, 11, 15))
    return dossier


@pytest.mark.parametrize("who", ["officer_nanshan", "municipal", "expert"])
def test_reviewers_in_scope_see_declarations_and_the_scored_items(client, world, submitted, assign, who):
    assign(submitted, world.expert)
    english(client, getattr(world, who))
    response = client.get(reverse("application_view", args=[submitted.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    # Eligibility: the applicant's answer and who declared it, when.
    start, end = body.index('data-testid="eligibility-answers"'), body.index('data-testid="exclusion-declarations"')
    eligibility = body[start:end]
    assert ELIGIBILITY_EVIDENCE in eligibility
    assert "applicant_a" in eligibility
    assert "2026-03-01 09:30" in eligibility
    # Art. 12: every declaration, with the event date, who recorded it and when.
    exclusions = re.findall(r'<tr data-testid="exclusion-row".*?</tr>', body, re.S)
    assert len(exclusions) == 7  # six "no" from the fixture world, one recorded by the district
    recorded = next(row for row in exclusions if EXCLUSION_EVIDENCE in row)
    assert "2020-05-06" in recorded
    assert "2023-05-06" in recorded  # 第十二条: three years from the event
    assert "officer_ns" in recorded
    assert "2026-03-02 11:15" in recorded
    assert "recorded by staff" in recorded
    # The scored item table: every item of the submitted template, with value, points and evidence.
    snapshot = submitted.evaluation_snapshots.get()
    assert body.count('data-testid="item-row"') == snapshot.template.ordered_items().count()
    item = quantitative_item(submitted)
    row = row_of(body, item.code)
    value = Decimal(snapshot.answers[item.code]["value"])
    assert f"{value.normalize():f}" in row
    earned = next(Decimal(a["items"][item.code]) for a in snapshot.score["areas"] if item.code in a["items"])
    assert f"{earned.normalize():f} / {item.points.normalize():f}" in row
    evidence = snapshot.answers[item.code]["evidence"][0]
    assert reverse("evidence_file", args=[submitted.pk, evidence["id"]]) in row
    assert 'target="evidence-panel"' in row
    assert '<iframe name="evidence-panel"' in body
    assert f'data-testid="application-total">{Decimal(snapshot.score["total"]).normalize():f}<' in body


@pytest.mark.parametrize("who", ["officer_futian", "expert2", "conflicted", "applicant_b"])
def test_out_of_scope_users_get_404_for_the_page_and_its_files(client, world, submitted, assign, who):
    assign(submitted, world.expert)
    if who == "conflicted":
        assign(submitted, world.expert2, conflict=True)
        who = "expert2"
    client.force_login(getattr(world, who))
    evidence = EvidenceFile.objects.filter(evaluation__dossier=submitted).first()
    assert client.get(reverse("application_view", args=[submitted.pk])).status_code == 404
    assert status_of(client, reverse("evidence_file", args=[submitted.pk, evidence.pk])) == 404


def test_evidence_is_served_inline_only_within_its_dossier(client, world, submitted):
    english(client, world.officer_nanshan)
    evidence = EvidenceFile.objects.filter(evaluation__dossier=submitted).first()
    response = client.get(reverse("evidence_file", args=[submitted.pk, evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Frame-Options"] == "SAMEORIGIN"  # it opens in the panel beside the table
    assert b"".join(response.streaming_content) == EXAMPLE_PDF
    # Another dossier's file through this dossier's address: 404, even for someone who may see both.
    other = make_dossier(eligible_unit(), State.SUBMITTED, year=2026)
    foreign = EvidenceFile.objects.filter(evaluation__dossier=other).first()
    assert status_of(client, reverse("evidence_file", args=[submitted.pk, foreign.pk])) == 404


def test_withdrawn_evidence_is_served_only_where_a_submission_refers_to_it(client, world):
    dossier = make_dossier(world.org_a, State.POOLED, year=2026)
    from applications import examples

    examples.fill(dossier, by=world.applicant_a)
    first, second = EvidenceFile.objects.filter(evaluation__dossier=dossier)[:2]
    evaluations.withdraw_evidence(dossier, evidence_id=first.pk, by=world.applicant_a)
    client.force_login(world.municipal)
    assert status_of(client, reverse("evidence_file", args=[dossier.pk, first.pk])) == 404
    assert status_of(client, reverse("evidence_file", args=[dossier.pk, second.pk])) == 200
    # Once submitted, a file the submission lists stays readable after it leaves the draft's index.
    submitted = make_dossier(eligible_unit(), State.SUBMITTED, year=2026)
    listed = EvidenceFile.objects.filter(evaluation__dossier=submitted).first()
    EvidenceFile.objects.filter(pk=listed.pk).update(withdrawn_at=timezone.now())
    assert status_of(client, reverse("evidence_file", args=[submitted.pk, listed.pk])) == 200


def test_changes_since_the_returned_version_are_marked(client, world, submitted):
    item = quantitative_item(submitted)
    before = Decimal(submitted.evaluation_snapshots.get().answers[item.code]["value"])
    returned = services.transition(
        submitted, "return_for_revision", by=world.officer_nanshan, reason="请核实能耗数据", now=at(2026, 3, 5)
    )
    changed = before + Decimal("1.5")
    evaluations.save_item_answers(
        returned, answers={item.code: {"met": None, "value": changed, "note": "更正"}}, by=world.applicant_a
    )
    resubmitted = services.transition(returned, "submit", by=world.applicant_a, now=at(2026, 3, 10))
    english(client, world.officer_nanshan)
    body = client.get(reverse("application_view", args=[resubmitted.pk])).content.decode()
    row = row_of(body, item.code)
    assert 'data-changed="1"' in row
    assert f"{changed.normalize():f}" in row
    previous = re.search(r'data-testid="previous-answer">(.*?)</div>', row, re.S).group(1)
    assert f"{before.normalize():f}" in previous
    assert body.count('data-changed="1"') == 1
    assert 'data-testid="changes-note"' in body


def test_no_change_marks_on_a_first_submission(client, world, submitted):
    english(client, world.municipal)
    body = client.get(reverse("application_view", args=[submitted.pk])).content.decode()
    assert 'data-changed="1"' not in body
    assert 'data-testid="changes-note"' not in body


def test_the_submitted_template_version_is_shown_after_a_new_version(client, world, submitted):
    used = submitted.evaluation_snapshots.get().template
    newer = evaluations.new_version(used, by=world.municipal)
    Round.objects.create(year=2026, kind="factory", template=newer, pass_mark=Decimal("60"))
    english(client, world.municipal)
    body = client.get(reverse("application_view", args=[submitted.pk])).content.decode()
    shown = re.search(r'data-testid="template-version">(.*?)<', body).group(1)
    assert shown == f"{used.name} v{used.version}"
    assert newer.version == used.version + 1
    assert f"{newer.name} v{newer.version}" in re.search(r'data-testid="round-template">(.*?)</p>', body).group(1)


def test_a_draft_is_shown_until_submission(client, world):
    dossier = make_dossier(world.org_a, State.POOLED, year=2026)
    from applications import examples

    examples.fill(dossier, by=world.applicant_a)
    english(client, world.officer_nanshan)
    body = client.get(reverse("application_view", args=[dossier.pk])).content.decode()
    assert "Draft, not submitted" in body
    evidence = EvidenceFile.objects.filter(evaluation__dossier=dossier).first()
    assert reverse("evidence_file", args=[dossier.pk, evidence.pk]) in body


def test_a_park_answer_shows_its_figure(client, world):
    """第十条: the park's industrial share is captured as a figure, and reviewers see it."""
    park = eligible_unit()
    dossier = make_dossier(park, State.POOLED, year=2026, kind="park")
    evaluation = evaluations.get_or_start(dossier, by=None)
    evaluation.eligibility_answers = {
        "park_industrial_share": {"met": True, "evidence": "园区统计年报", "figure": "62.50"}
    }
    evaluation.save()
    english(client, world.officer_nanshan)
    body = client.get(reverse("application_view", args=[dossier.pk])).content.decode()
    row = re.search(r'<tr data-testid="eligibility-row" data-criterion="park_industrial_share">.*?</tr>', body, re.S)
    assert "62.50 %" in row.group(0)
    assert "园区统计年报" in row.group(0)


def test_report_versions_are_listed_and_downloadable_in_scope(client, world):
    dossier = make_dossier(world.org_a, State.POOLED, year=2026)
    services.attach_report(
        dossier, uploaded_file=SimpleUploadedFile("r1.pdf", MINIMAL_PDF), attested=True, by=world.applicant_a
    )
    services.attach_report(
        dossier, uploaded_file=SimpleUploadedFile("r2.pdf", MINIMAL_PDF + b"%2"), attested=True, by=world.applicant_a
    )
    first, second = dossier.report_versions.all()
    english(client, world.officer_nanshan)
    body = client.get(reverse("application_view", args=[dossier.pk])).content.decode()
    assert body.count('data-testid="report-version"') == 2
    assert first.sha256[:12] in body and second.sha256[:12] in body
    response = client.get(reverse("report_version_file", args=[dossier.pk, first.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == MINIMAL_PDF
    client.force_login(world.officer_futian)
    assert status_of(client, reverse("report_version_file", args=[dossier.pk, first.pk])) == 404


def test_the_agency_conclusions_are_shown_for_a_commissioned_evaluation(client, world):
    dossier = make_dossier(world.org_a, State.SUBMITTED, year=2026, agency=world.agency)
    english(client, world.municipal)
    body = client.get(reverse("application_view", args=[dossier.pk])).content.decode()
    conclusion = re.search(r'data-testid="agency-conclusion">(.*?)</section>', body, re.S).group(1)
    assert dossier.self_evaluation.agency_highlights in conclusion
    assert world.agency.name in conclusion


def test_conformity_checklist_shows_what_each_item_asks_to_confirm(client, world):
    dossier = make_dossier(world.org_a, State.RECOMMENDED, year=2026)
    evaluation = dossier.self_evaluation
    evaluation.eligibility_answers = {"legal_person": {"met": True, "evidence": ELIGIBILITY_EVIDENCE}}
    evaluation.save()
    english(client, world.municipal)
    body = client.get(reverse("conformity_check", args=[dossier.pk])).content.decode()
    eligibility = re.search(r'data-testid="conformity-item-eligibility">(.*?)</section>\s*</div>', body, re.S).group(1)
    assert ELIGIBILITY_EVIDENCE in eligibility
    assert "not answered" in eligibility  # 第九条's second criterion has no answer yet
    exclusions = re.search(r'data-testid="conformity-item-exclusions">(.*?)</section>\s*</div>', body, re.S).group(1)
    assert exclusions.count('data-testid="exclusion-row"') == 6
    report = re.search(r'data-testid="conformity-item-report">(.*?)</section>', body, re.S).group(1)
    snapshot = dossier.evaluation_snapshots.get()
    assert f"{snapshot.template.name} v{snapshot.template.version}" in report
    complete = re.search(r'data-testid="confirm-complete">(.*?)</ul>', body, re.S).group(1)
    count = sum(len(a["evidence"]) for a in snapshot.answers.values())
    assert f"{count} evidence files in the index" in complete
    consistency = re.search(r'data-testid="conformity-item-consistency">(.*?)</section>', body, re.S).group(1)
    assert 'data-testid="key-figures"' in consistency
    assert reverse("application_view", args=[dossier.pk]) in body
    # The checklist still records: every box ticked passes the dossier into the library.
    ticked = {f"item_{key}": "on" for key in ("complete", "report", "eligibility", "exclusions", "consistency")}
    assert client.post(reverse("conformity_check", args=[dossier.pk]), ticked).status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == State.IN_LIBRARY


def test_links_to_the_application_view(client, world, submitted):
    url = reverse("application_view", args=[submitted.pk])
    client.force_login(world.officer_nanshan)
    assert url in client.get(reverse("dossier_detail", args=[submitted.pk])).content.decode()
    assert url in client.get(reverse("district_queue")).content.decode()
    in_review = make_dossier(world.org_b, State.IN_REVIEW, year=2026)
    client.force_login(world.municipal)
    ranking = client.get(reverse("ranking"), {"year": 2026, "kind": "factory"}).content.decode()
    assert reverse("application_view", args=[in_review.pk]) in ranking


def test_query_count_is_bounded(client, world, submitted, django_assert_max_num_queries):
    client.force_login(world.municipal)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("application_view", args=[submitted.pk])).status_code == 200
    draft = make_dossier(world.org_b, State.POOLED, year=2026)
    from applications import examples

    examples.fill(draft)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("application_view", args=[draft.pk])).status_code == 200


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_evidence_opens_beside_the_table_in_the_browser(live_server, browser, world, screens):
    from playwright.sync_api import expect

    dossier = make_dossier(world.org_a, State.SUBMITTED, year=2026)
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "officer_ns")
    page.fill("#id_password", "pw-for-tests-1")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}{reverse('dossier_detail', args=[dossier.pk])}")
    page.click("[data-testid=application-link]")
    expect(page.locator("[data-testid=item-row]").first).to_be_visible()
    screens(page, "application")
    link = page.locator("[data-testid=evidence-link]").first
    href = link.get_attribute("href")
    with page.expect_response(lambda r: r.url.endswith(href)) as served:
        link.click()
    assert served.value.status == 200
    assert served.value.headers["content-disposition"].startswith("inline")
    assert page.url.endswith(reverse("application_view", args=[dossier.pk]))  # the table stays in place
    expect(page.locator("#evidence-caption")).to_contain_text(link.inner_text())
    screens(page, "evidence-open")
