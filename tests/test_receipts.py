"""Receipts (受理编号 and access code) for objections (第十七条) and real-name reports (第二十五条), tracking,
duplicate submissions and the per-address rate limit of the public forms."""

import datetime
import re

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from applications.models import State
from registry import reports
from registry.models import Report
from reviews import objections, receipts
from reviews.models import Objection
from tests.conftest import at, make_dossier
from tests.factories import MINIMAL_PDF

DURING_PUBLICITY = at(2026, 9, 1)  # make_dossier's publicity runs from 31 August 2026 for 5 working days
OBJECTION = {"objector_kind": "person", "name": "张三", "phone": "13900000000", "content": "能耗数据与实际不符"}


def evidence():
    return SimpleUploadedFile("佐证材料.pdf", MINIMAL_PDF, content_type="application/pdf")


@pytest.fixture
def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def entry(world):
    return make_dossier(world.org_a, State.IN_PUBLICITY).publicity_entry


def post_objection(client, entry, **fields):
    return client.post(reverse("public_publicity", args=[entry.batch_id]), OBJECTION | {"entry": entry.pk} | fields)


def track(client, number, code, **meta):
    return client.post(reverse("track_submission"), {"number": number, "code": code}, **meta)


def test_objection_receipt_is_shown_once_and_emailed(en, entry, django_capture_on_commit_callbacks):
    with time_machine.travel(DURING_PUBLICITY, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            response = post_objection(en, entry, email="zhangsan@example.com")
        assert response.status_code == 302
        page = en.get(response.url)
        again = en.get(reverse("public_receipt"))

    objection = Objection.objects.get()
    number = page.context["receipt"]["number"]
    code = page.context["receipt"]["code"]
    html = page.content.decode()
    assert number == objection.receipt_number == "YY-2026-000001"
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}", code)
    assert number in html and code in html and "Print" in html
    assert code.replace("-", "") not in objection.access_code_hash
    assert receipts.code_matches(code, objection.access_code_hash)
    assert again.status_code == 302 and again.url == reverse("track_submission")
    sent = [m for m in mail.outbox if m.to == ["zhangsan@example.com"]]
    assert len(sent) == 1
    assert number in sent[0].subject and code in sent[0].body and "http://testserver/track/" in sent[0].body
    assert objection.contact_email == "zhangsan@example.com"


def test_tracking_shows_the_status_and_after_the_decision_the_outcome(en, world, entry):
    with time_machine.travel(DURING_PUBLICITY, tick=False):
        objection = objections.submit_objection(entry, **OBJECTION)
        pending = track(en, objection.receipt_number.lower(), objection.access_code.lower())
        objections.decide_objection(objection, uphold=False, note="经核实，数据与审计报告一致", by=world.municipal)
        decided = track(en, objection.receipt_number, receipts.display_code(objection.access_code))

    assert pending.status_code == 200
    assert pending.context["found"].status == "Pending"
    assert "Not decided yet." in pending.content.decode()
    assert decided.context["found"].outcome == "Dismissed"
    assert "经核实，数据与审计报告一致" in decided.content.decode()
    assert world.org_a.name in decided.content.decode()
    assert "张三" not in decided.content.decode()


def test_a_report_is_followed_to_its_decision(en, world):
    report = reports.file_report(
        organisation=world.org_a, name="赵举报", contact="13700000000", content="数据造假", evidence=evidence()
    )
    reports.decide_report(
        report,
        decision=Report.Decision.RECTIFY,
        note="责令补充能耗台账",
        rectify_by=datetime.date(2026, 12, 31),
        by=world.municipal,
    )
    response = track(en, report.receipt_number, report.access_code)

    found = response.context["found"]
    assert (found.number, found.status, found.outcome) == (report.receipt_number, "Decided", "Rectification ordered")
    assert found.outcome_note == "责令补充能耗台账" and "2026-12-31" in response.content.decode()


def test_a_wrong_code_and_an_unknown_number_get_the_same_answer(en, world):
    report = reports.file_report(
        organisation=world.org_a, name="赵举报", contact="13700000000", content="数据造假", evidence=evidence()
    )
    wrong_code = track(en, report.receipt_number, "ABCD-EFGH")
    unknown = track(en, "JB-2026-000999", report.access_code)
    nonsense = track(en, "hello", report.access_code)

    with translation.override("en"):  # the form's error is a lazy string: read it in English
        answers = [
            (r.status_code, r.context["found"], list(map(str, r.context["form"].non_field_errors())))
            for r in (wrong_code, unknown, nonsense)
        ]
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][:2] == (200, None)
    assert answers[0][2] == ["No submission matches this receipt number and access code. Check both and try again."]


def test_the_same_objection_twice_keeps_one_row_and_the_first_receipt(en, entry):
    with time_machine.travel(DURING_PUBLICITY, tick=False):
        first = en.get(post_objection(en, entry).url).context["receipt"]
        resent = post_objection(en, entry, content="  能耗数据与实际不符 ", name="张三 ")
        second = en.get(resent.url)

    assert Objection.objects.count() == 1
    assert second.context["receipt"]["number"] == first["number"]
    assert second.context["receipt"]["duplicate"] is True and second.context["receipt"]["code"] == ""
    assert "already received" in second.content.decode()


def test_a_duplicate_is_caught_within_24_hours_only(world):
    def send():
        return reports.file_report(
            organisation=world.org_a, name="赵举报", contact="13700000000", content="数据造假", evidence=evidence()
        )

    with time_machine.travel(at(2026, 10, 1), tick=False):
        first = send()
    with time_machine.travel(at(2026, 10, 1, 20), tick=False):
        again = send()
    with time_machine.travel(at(2026, 10, 2, 11), tick=False):
        later = send()

    assert (again.pk, again.is_duplicate, again.access_code) == (first.pk, True, None)
    assert later.pk != first.pk and later.is_duplicate is False
    assert Report.objects.count() == 2


def test_receipt_numbers_run_per_series_and_year_without_gaps(world, entry):
    def report(content):
        return reports.file_report(
            organisation=world.org_a, name="赵举报", contact="137", content=content, evidence=evidence()
        )

    with time_machine.travel(DURING_PUBLICITY, tick=False):
        numbers = [report("一").receipt_number, report("二").receipt_number]
        with pytest.raises(RuntimeError), transaction.atomic():
            report("回滚")
            raise RuntimeError("the submission is rolled back")
        numbers.append(report("三").receipt_number)
        objection = objections.submit_objection(entry, **OBJECTION)
    with time_machine.travel(at(2027, 1, 4), tick=False):
        numbers.append(report("四").receipt_number)

    assert numbers == ["JB-2026-000001", "JB-2026-000002", "JB-2026-000003", "JB-2027-000001"]
    assert objection.receipt_number == "YY-2026-000001"


def test_public_forms_are_rate_limited_per_address(en, world, entry):
    limit, _window = settings.RATELIMITS["public-submit"]
    here, there = {"REMOTE_ADDR": "203.0.113.7"}, {"REMOTE_ADDR": "198.51.100.2"}
    with time_machine.travel(DURING_PUBLICITY, tick=False):
        url = reverse("public_publicity", args=[entry.batch_id])
        refused_input = OBJECTION | {"entry": entry.pk, "name": "匿名"}
        answers = [en.post(url, refused_input, **here).status_code for _i in range(limit)]
        blocked = en.post(url, refused_input, **here)
        report_blocked = en.post(reverse("public_report"), {"target": world.org_a.name}, **here)
        spoofed = en.post(url, refused_input, HTTP_X_FORWARDED_FOR="192.0.2.1", **here)
        elsewhere = en.post(url, refused_input, **there)
        reading = en.get(url, **here)

    assert answers == [200] * limit
    assert blocked.status_code == report_blocked.status_code == spoofed.status_code == 429
    assert blocked["Retry-After"] == "3600"  # the hour's window began at 10:00 and ends at 11:00
    assert "Please try again after 11:00" in blocked.content.decode()
    assert elsewhere.status_code == 200 and reading.status_code == 200


def test_tracking_attempts_are_rate_limited_and_wrong_codes_count(en, world, settings):
    settings.RATELIMITS = settings.RATELIMITS | {"track": (3, 3600)}
    report = reports.file_report(
        organisation=world.org_a, name="赵举报", contact="137", content="x", evidence=evidence()
    )
    guesses = [track(en, report.receipt_number, f"AAAA-AAA{n}").status_code for n in range(2, 5)]
    right_code_too_late = track(en, report.receipt_number, report.access_code)
    from_elsewhere = track(en, report.receipt_number, report.access_code, REMOTE_ADDR="198.51.100.2")

    assert guesses == [200, 200, 200]
    assert right_code_too_late.status_code == 429
    assert from_elsewhere.status_code == 200 and from_elsewhere.context["found"].number == report.receipt_number


# --- Simultaneous identical submissions (PostgreSQL) ------------------------------------------------------


def _at_once(workers, submit):
    """Run ``submit()`` in ``workers`` threads released together; each thread's result or error."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(workers)
    results, errors = [], []

    def attempt():
        try:
            barrier.wait()
            results.append(submit())
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_objection_sent_four_times_at_once_is_filed_once(world):
    entry = make_dossier(world.org_a, State.IN_PUBLICITY).publicity_entry
    results, errors = _at_once(4, lambda: objections.submit_objection(entry, now=DURING_PUBLICITY, **OBJECTION))

    assert errors == []
    assert Objection.objects.count() == 1
    assert sorted(r.is_duplicate for r in results) == [False, True, True, True]
    assert {r.receipt_number for r in results} == {"YY-2026-000001"}
    assert sum(1 for r in results if r.access_code) == 1  # only the first submitter gets the code


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_report_sent_four_times_at_once_is_filed_once(world):
    def submit():
        return reports.file_report(
            organisation=world.org_a, name="赵举报", contact="13700000000", content="数据造假", evidence=evidence()
        )

    results, errors = _at_once(4, submit)

    assert errors == []
    assert Report.objects.count() == 1
    assert sorted(r.is_duplicate for r in results) == [False, True, True, True]
    assert len({r.receipt_number for r in results}) == 1
