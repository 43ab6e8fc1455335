"""Bulk deadline sweeps (issue 13): the annual-form reminders, the overdue flags, the end of publicity, the
scoring and rectification reminders work a chunk in a few statements — the query count does not grow with
the rows — a crash after the first chunk and a rerun give what one clean run gives, and each district hears
once per run."""

import datetime
from collections import Counter

import pytest
from django.db import connection, transaction
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext as _

from accounts.models import Notification, Role, SentReminder
from applications.models import AnnualReport, Dossier, Kind, State
from greenfactory import chunks
from greenfactory.sweeps import run_sweep
from tests.conftest import at
from tests.factories import OrganisationFactory, UserFactory, district

MARCH_1 = at(2027, 3, 1, 9)
MARCH_16 = at(2027, 3, 16, 0, 30)
REMINDER = "请于2027-03-15前填报2027年度动态管理表（第十九条）"


def listed_units(n, code="nanshan", *, year=2025, users=True):
    """``n`` units listed in ``year`` (so they file a form from the next year), each with an applicant."""
    made = []
    for _i in range(n):
        organisation = OrganisationFactory(district=district(code))
        if users:
            # no address: the count is the sweep's and its inbox rows', not the mail sender's (``accounts.outbox``)
            UserFactory(role=Role.APPLICANT, organisation=organisation)
        made.append(
            Dossier(
                organisation=organisation,
                kind=Kind.FACTORY,
                cycle_year=year,
                state=State.LISTED,
                listed_on=datetime.date(year, 9, 10),
                next_recheck_due=datetime.date(year + 3, 9, 10),
            )
        )
    return Dossier.objects.bulk_create(made)


def in_publicity(n, code="nanshan"):
    """``n`` dossiers whose publicity ended on Friday 9 October 2026 without objection."""
    made = [
        Dossier(
            organisation=OrganisationFactory(district=district(code)),
            kind=Kind.FACTORY,
            cycle_year=2026,
            state=State.IN_PUBLICITY,
            publicity_ends_on=datetime.date(2026, 10, 9),
        )
        for _i in range(n)
    ]
    return Dossier.objects.bulk_create(made)


def queries(build, sweep, when):
    """Queries of one run of ``sweep`` over what ``build()`` made (on-commit work included), rolled back."""
    with transaction.atomic():
        build()
        with CaptureQueriesContext(connection) as captured, TestCase.captureOnCommitCallbacks(execute=True):
            changes = run_sweep(sweep, when)
        transaction.set_rollback(True)
    return len(changes), len(captured)


class Crash(Exception):
    pass


def crash_in_chunk(monkeypatch, number):
    """Chunk ``number`` (counted over the run) fails after doing its work, so its transaction rolls back."""
    real, count = chunks.in_chunks, {"n": 0}

    def crashing(pks, work, *, size=None):
        def body(chunk):
            done = work(chunk)
            count["n"] += 1
            if count["n"] == number:
                raise Crash
            return done

        return real(pks, body, size=size)

    monkeypatch.setattr(chunks, "in_chunks", crashing)
    for module in ("applications.deadlines", "reviews.deadlines"):
        monkeypatch.setattr(f"{module}.in_chunks", crashing)
    return real


# --- the query count does not grow with the rows ---------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sweep, when, build",
    [
        ("annual_form_reminders", MARCH_1, listed_units),
        ("mark_overdue_annual_forms", MARCH_16, listed_units),
        ("clear_ended_publicity", at(2026, 10, 12, 0, 30), in_publicity),
    ],
)
def test_the_query_count_of_a_bulk_sweep_does_not_grow_with_its_rows(districts, sweep, when, build):
    UserFactory(role=Role.DISTRICT, district=district("nanshan"))
    UserFactory(role=Role.MUNICIPAL)
    small = queries(lambda: build(3), sweep, when)
    large = queries(lambda: build(12), sweep, when)
    assert (small[0], large[0]) == (3, 12)
    assert small[1] == large[1], (small, large)


@pytest.mark.django_db
def test_the_reminders_of_units_that_already_have_their_form_cost_no_more(districts):
    def build(n):
        for dossier in listed_units(n):
            AnnualReport.objects.create(dossier=dossier, year=2027, due_on=datetime.date(2027, 3, 15))

    assert (
        queries(lambda: build(2), "annual_form_reminders", MARCH_1)[1]
        == (queries(lambda: build(9), "annual_form_reminders", MARCH_1)[1])
    )


# --- a crash after the first chunk, then a rerun, is one clean run ---------------------------------------


def reminder_state():
    return {
        "reports": sorted(AnnualReport.objects.values_list("dossier_id", "year", "due_on", "status")),
        "created": Counter(AnnualReport.history.filter(history_type="+").values_list("id", flat=True)),
        "keys": sorted(SentReminder.objects.values_list("key", flat=True)),
        "inbox": Counter(Notification.objects.values_list("recipient_id", "title")),
    }


@pytest.mark.django_db(transaction=True)
def test_annual_reminders_resume_after_a_crash_as_one_clean_run(districts, settings, monkeypatch):
    settings.SWEEP_CHUNK_SIZE = 2
    units = listed_units(5)
    crash_in_chunk(monkeypatch, 2)
    with pytest.raises(Crash):
        run_sweep("annual_form_reminders", MARCH_1)
    # chunk 1 committed (2 forms, 2 reminders); chunk 2 rolled back with its forms and keys
    assert AnnualReport.objects.count() == 2
    assert Notification.objects.count() == 2
    monkeypatch.undo()

    assert len(run_sweep("annual_form_reminders", MARCH_1)) == 3
    assert run_sweep("annual_form_reminders", MARCH_1) == []
    state = reminder_state()
    assert [r[0] for r in state["reports"]] == [d.pk for d in units]
    assert {r[1:] for r in state["reports"]} == {(2027, datetime.date(2027, 3, 15), AnnualReport.Status.DUE)}
    assert set(state["created"].values()) == {1}  # each form created once, with one "+" history row
    assert len(state["keys"]) == 5
    assert len(state["inbox"]) == 5 and set(state["inbox"].values()) == {1}  # one reminder per unit
    assert {title for _r, title in state["inbox"]} == {REMINDER}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("crash_at", [2, 5])  # chunk 2 of opening the missing forms (3 chunks), of flagging them
def test_overdue_flags_resume_after_a_crash_as_one_clean_run(districts, settings, monkeypatch, crash_at):
    settings.SWEEP_CHUNK_SIZE = 2
    officer = UserFactory(role=Role.DISTRICT, district=district("nanshan"))
    units = listed_units(5)
    crash_in_chunk(monkeypatch, crash_at)
    with pytest.raises(Crash):
        run_sweep("mark_overdue_annual_forms", MARCH_16)
    monkeypatch.undo()
    run_sweep("mark_overdue_annual_forms", MARCH_16)
    assert run_sweep("mark_overdue_annual_forms", MARCH_16) == []

    reports = list(AnnualReport.objects.order_by("dossier_id"))
    assert [r.dossier_id for r in reports] == [d.pk for d in units]
    assert {(r.year, r.status, r.overdue_at) for r in reports} == {(2027, AnnualReport.Status.DUE, MARCH_16)}
    history = Counter(AnnualReport.history.values_list("id", "history_type", "history_change_reason"))
    for report in reports:  # created once, flagged once, as ``save`` would record them
        assert history[(report.pk, "+", None)] == 1
        assert history[(report.pk, "~", "overdue (Art. 21(2))")] == 1
    assert sum(history.values()) == 10
    # the rerun's digest: one message for the district listing the units it flagged
    assert officer.notifications.count() == 1


@pytest.mark.django_db(transaction=True)
def test_publicity_clearing_resumes_after_a_crash_as_one_clean_run(districts, settings, monkeypatch):
    settings.SWEEP_CHUNK_SIZE = 2
    city = UserFactory(role=Role.MUNICIPAL)
    dossiers = in_publicity(5)
    crash_in_chunk(monkeypatch, 2)
    with pytest.raises(Crash):
        run_sweep("clear_ended_publicity", at(2026, 10, 12, 0, 30))
    assert Dossier.objects.filter(cleared_for_publication_at__isnull=False).count() == 2
    monkeypatch.undo()

    assert len(run_sweep("clear_ended_publicity", at(2026, 10, 13, 0, 30))) == 3
    assert run_sweep("clear_ended_publicity", at(2026, 10, 14, 0, 30)) == []
    cleared = dict(Dossier.objects.values_list("pk", "cleared_for_publication_at"))
    assert {cleared[d.pk] for d in dossiers} == {at(2026, 10, 12, 0, 30), at(2026, 10, 13, 0, 30)}
    assert set(Dossier.objects.values_list("state", flat=True)) == {State.IN_PUBLICITY}
    reasons = Counter(
        Dossier.history.filter(history_type="~").values_list(
            "id", "history_change_reason", "cleared_for_publication_at"
        )
    )
    assert len(reasons) == 5 and set(reasons.values()) == {1}
    assert {reason for _id, reason, _at in reasons} == {"publicity ended without objection"}
    assert all(at_ is not None for _id, _r, at_ in reasons)
    assert city.notifications.count() == 1  # the rerun's message; the crashed run raised before sending any


# --- each district hears once per run --------------------------------------------------------------------


@pytest.mark.django_db
def test_each_district_gets_one_overdue_digest_and_each_unit_one_reminder(
    districts, settings, django_capture_on_commit_callbacks
):
    settings.SWEEP_CHUNK_SIZE = 2
    nanshan_officer = UserFactory(role=Role.DISTRICT, district=district("nanshan"))
    futian_officer = UserFactory(role=Role.DISTRICT, district=district("futian"))
    nanshan, futian = listed_units(5, "nanshan"), listed_units(1, "futian")
    with django_capture_on_commit_callbacks(execute=True):
        reminded = run_sweep("annual_form_reminders", MARCH_1)
    assert len(reminded) == 6
    assert (nanshan_officer.notifications.count(), futian_officer.notifications.count()) == (0, 0)
    for dossier in nanshan + futian:
        assert [n.title for n in Notification.objects.filter(recipient__organisation=dossier.organisation_id)] == [
            REMINDER
        ]

    with django_capture_on_commit_callbacks(execute=True):
        flagged = run_sweep("mark_overdue_annual_forms", MARCH_16)
    assert len(flagged) == 6
    digest = list(nanshan_officer.notifications.all())
    assert len(digest) == 1
    assert digest[0].title == _(
        "%(district)s: %(n)d units have not filed their annual form (Art. 21(2) removal ground)"
    ) % {"district": "南山区", "n": 5}
    assert sorted(digest[0].body.splitlines()) == sorted(
        f"{d.organisation.name}未按时填报2027年度动态管理表（第二十一条第（二）项移出情形）" for d in nanshan
    )
    assert [n.title for n in futian_officer.notifications.all()] == [
        f"{futian[0].organisation.name}未按时填报2027年度动态管理表（第二十一条第（二）项移出情形）"
    ]


@pytest.mark.django_db
def test_a_unit_without_active_users_gets_its_form_and_key_but_counts_as_no_reminder(districts):
    listed_units(2, users=False)
    assert run_sweep("annual_form_reminders", MARCH_1) == []
    assert AnnualReport.objects.count() == 2
    assert SentReminder.objects.count() == 2  # as ``notify_once``: the key is kept, nobody to tell


@pytest.mark.django_db
def test_claim_keys_claims_each_key_once(db):
    assert chunks.claim_keys(["a", "b", "a"]) == {"a", "b"}
    assert chunks.claim_keys(["b", "c"]) == {"c"}
    assert chunks.claim_keys([]) == set()
    assert sorted(SentReminder.objects.values_list("key", flat=True)) == ["a", "b", "c"]


# --- the reminders of other sweeps: one claim of their keys, one insert of their messages -----------------


def experts_in_review(n):
    """``n`` dossiers under review (round deadline 20 August 2026), each waiting for its own expert's scores."""
    from reviews.models import ExpertAssignment

    dossiers = Dossier.objects.bulk_create(
        Dossier(
            organisation=OrganisationFactory(district=district("nanshan")),
            kind=Kind.FACTORY,
            cycle_year=2026,
            state=State.IN_REVIEW,
        )
        for _i in range(n)
    )
    ExpertAssignment.objects.bulk_create(
        ExpertAssignment(dossier=d, expert=UserFactory(role=Role.EXPERT)) for d in dossiers
    )


def rectifications_due(n):
    """``n`` listed units whose recheck ordered a rectification by 1 March 2027."""
    from registry.models import Recheck

    Recheck.objects.bulk_create(
        Recheck(dossier=d, year=2026, decision=Recheck.Proposal.RECTIFY, rectify_by=datetime.date(2027, 3, 1))
        for d in listed_units(n, users=False)
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sweep, when, build",
    [
        ("scoring_reminders", at(2026, 8, 17, 1), experts_in_review),
        ("rectification_due", at(2027, 3, 5, 1), rectifications_due),
    ],
)
def test_the_reminder_sweeps_cost_the_same_for_more_rows(districts, sweep, when, build):
    from reviews.models import Round

    Round.objects.create(year=2026, kind=Kind.FACTORY, scoring_deadline=datetime.date(2026, 8, 20))
    UserFactory(role=Role.DISTRICT, district=district("nanshan"))
    UserFactory(role=Role.MUNICIPAL)
    small = queries(lambda: build(2), sweep, when)
    large = queries(lambda: build(7), sweep, when)
    assert (small[0], large[0]) == (2, 7)
    assert small[1] == large[1], (small, large)
    build(3)
    assert len(run_sweep(sweep, when)) == 3
    assert run_sweep(sweep, when) == []  # each key once


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_reminder_runs_open_and_remind_each_unit_once(districts, settings):
    import threading

    from tests.test_sweeps_chunked import run_in_thread

    settings.SWEEP_CHUNK_SIZE = 3
    units = listed_units(18)
    barrier = threading.Barrier(2)

    def sweep():
        barrier.wait()
        return run_sweep("annual_form_reminders", MARCH_1)

    runs = [run_in_thread(sweep) for _ in range(2)]
    for thread, _result in runs:
        thread.join(60)
    assert [r.get("error") for _t, r in runs] == [None, None]
    assert sum(len(r["value"]) for _t, r in runs) == 18
    state = reminder_state()
    assert [r[0] for r in state["reports"]] == [d.pk for d in units]
    assert set(state["created"].values()) == {1}
    assert len(state["inbox"]) == 18 and set(state["inbox"].values()) == {1}


@pytest.mark.django_db
def test_a_form_opened_by_its_unit_during_the_chunk_falls_back_to_one_by_one(districts, monkeypatch):
    units = listed_units(3)
    real = AnnualReport.objects.bulk_create

    def the_unit_opens_its_form_first(objs, **kwargs):
        monkeypatch.setattr(AnnualReport.objects, "bulk_create", real)
        AnnualReport.objects.create(dossier=units[1], year=2027, due_on=datetime.date(2027, 3, 15))
        return real(objs, **kwargs)  # refused by the unique (dossier, year)

    monkeypatch.setattr(AnnualReport.objects, "bulk_create", the_unit_opens_its_form_first)
    assert len(run_sweep("annual_form_reminders", MARCH_1)) == 3
    state = reminder_state()
    assert [r[0] for r in state["reports"]] == [d.pk for d in units]
    assert set(state["created"].values()) == {1}
    assert len(state["keys"]) == 3
