"""Deadline sweeps at province scale: chunks that commit as they go, resume after a crash, one digest per
district per run, dry runs that change nothing, and two workers that never do the same row twice."""

import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.utils.translation import gettext as _

from accounts.models import Notification
from applications import deadlines, services
from applications.models import Dossier, Kind, State, TransitionLog
from greenfactory.sweeps import run_sweep
from tests.conftest import at
from tests.factories import OrganisationFactory, declare_eligible, district

MAY_31 = at(2027, 5, 31, 0, 5)


def pooled(n, code="nanshan"):
    """``n`` dossiers of 2027 still in the pool (so they lapse on 31 May), in the district ``code``."""
    made = []
    for _i in range(n):
        organisation = OrganisationFactory(district=district(code))
        declare_eligible(organisation)
        made.append(services.pool(organisation, Kind.FACTORY, 2027, now=at(2027, 1, 15)))
    return made


def lapse_logs():
    return list(TransitionLog.objects.filter(transition="lapse").values_list("dossier_id", flat=True))


class Crash(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_a_crash_keeps_the_finished_chunks_and_a_rerun_finishes_the_rest(districts, settings, monkeypatch):
    settings.SWEEP_CHUNK_SIZE = 2
    dossiers = pooled(5)
    real, calls = deadlines.lapsed_line, []

    def crash_on_the_fourth(dossier):
        calls.append(dossier.pk)
        if len(calls) == 4:
            raise Crash
        return real(dossier)

    monkeypatch.setattr(deadlines, "lapsed_line", crash_on_the_fourth)
    with pytest.raises(Crash):
        run_sweep("lapse_unrecommended", MAY_31)
    states = [Dossier.objects.get(pk=d.pk).state for d in dossiers]
    # chunk 1 (rows 1–2) committed; chunk 2 (rows 3–4) rolled back with its failing row; chunk 3 never ran
    assert states == [State.LAPSED, State.LAPSED, State.POOLED, State.POOLED, State.POOLED]
    assert sorted(lapse_logs()) == [dossiers[0].pk, dossiers[1].pk]

    monkeypatch.setattr(deadlines, "lapsed_line", real)
    assert len(run_sweep("lapse_unrecommended", MAY_31)) == 3
    assert {Dossier.objects.get(pk=d.pk).state for d in dossiers} == {State.LAPSED}
    assert sorted(lapse_logs()) == sorted(d.pk for d in dossiers)  # exactly one log row per dossier
    assert Dossier.history.filter(state=State.LAPSED).count() == 5
    assert run_sweep("lapse_unrecommended", MAY_31) == []


@pytest.mark.django_db
def test_the_log_and_history_of_a_chunked_lapse_are_those_of_any_transition(world, settings):
    settings.SWEEP_CHUNK_SIZE = 2
    dossiers = pooled(3)
    run_sweep("lapse_unrecommended", MAY_31)
    for dossier in dossiers:
        entry = TransitionLog.objects.get(dossier=dossier, transition="lapse")
        assert (entry.from_state, entry.to_state, entry.actor, entry.at) == ("pooled", "lapsed", None, MAY_31)
        assert entry.reason == "5月30日前未获推荐（第十五条）"
        latest = Dossier.history.filter(id=dossier.pk).latest("history_id")
        assert (latest.state, latest.history_user, latest.outcome_reason) == (
            State.LAPSED,
            None,
            entry.reason,
        )


@pytest.mark.django_db
def test_each_district_gets_one_digest_per_run_not_one_message_per_dossier(
    world, settings, django_capture_on_commit_callbacks
):
    settings.SWEEP_CHUNK_SIZE = 2
    nanshan = pooled(5, "nanshan")
    futian = pooled(1, "futian")
    Notification.objects.all().delete()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        changes = run_sweep("lapse_unrecommended", MAY_31)
    assert len(changes) == 6
    ns = list(world.officer_nanshan.notifications.all())
    assert len(ns) == 1
    assert ns[0].body.splitlines() == [f"{d.organisation.name}（2027年度）：逾期失效" for d in nanshan]
    assert ns[0].title == _(
        "30 May deadline: %(n)d units of %(district)s were not recommended and lapsed (Art. 15)"
    ) % {
        "n": 5,
        "district": "南山区",
    }
    assert [n.title for n in world.officer_futian.notifications.all()] == [
        f"{futian[0].organisation.name}（2027年度）：逾期失效"
    ]
    city = list(world.municipal.notifications.all())
    assert len(city) == 1
    assert sorted(city[0].body.splitlines()) == [
        _("%(district)s: %(n)d") % {"district": "南山区", "n": 5},
        _("%(district)s: %(n)d") % {"district": "福田区", "n": 1},
    ]
    # one email per district officer with an address: ns@example.com once, not five times
    assert [m.to for m in mail.outbox if "ns@example.com" in m.to] == [["ns@example.com"]]


@pytest.mark.django_db
def test_each_applicant_still_hears_of_its_own_dossier(world, django_capture_on_commit_callbacks):
    dossier = services.pool(world.org_a, Kind.FACTORY, 2027, now=at(2027, 1, 15))
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        run_sweep("lapse_unrecommended", MAY_31)
    notes = list(world.applicant_a.notifications.all())
    assert len(notes) == 1
    assert notes[0].url == f"/dossiers/{dossier.pk}/"
    assert world.applicant_b.notifications.count() == 0


@pytest.mark.django_db
def test_a_person_s_transition_still_notifies_as_before(world, django_capture_on_commit_callbacks):
    dossier = services.pool(world.org_a, Kind.FACTORY, 2027, now=at(2027, 1, 15))
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.transition(dossier, "withdraw", by=world.applicant_a, reason="不再申报")
    assert world.officer_nanshan.notifications.count() == 1
    assert world.applicant_a.notifications.count() == 0  # the actor is not told of their own act


@pytest.mark.django_db
def test_the_dry_run_changes_nothing_and_sends_nothing(world, settings, capsys):
    settings.SWEEP_CHUNK_SIZE = 2
    dossiers = pooled(5)
    Notification.objects.all().delete()
    mail.outbox.clear()
    logged, history = TransitionLog.objects.count(), Dossier.history.count()
    call_command("run_deadlines", "--as-of", "2027-05-31T00:05", "--only", "lapse_unrecommended")
    assert "lapse_unrecommended: 5" in capsys.readouterr().out
    assert {Dossier.objects.get(pk=d.pk).state for d in dossiers} == {State.POOLED}
    assert (TransitionLog.objects.count(), Dossier.history.count()) == (logged, history)
    assert (Notification.objects.count(), len(mail.outbox)) == (0, 0)


@pytest.mark.django_db(transaction=True)
def test_applied_run_deadlines_commits_chunk_by_chunk(districts, settings, monkeypatch):
    settings.SWEEP_CHUNK_SIZE = 2
    dossiers = pooled(4)
    real, calls = deadlines.lapsed_line, []

    def crash_on_the_third(dossier):
        calls.append(dossier.pk)
        if len(calls) == 3:
            raise Crash
        return real(dossier)

    monkeypatch.setattr(deadlines, "lapsed_line", crash_on_the_third)
    with pytest.raises(Crash):
        call_command("run_deadlines", "--as-of", "2027-05-31T00:05", "--only", "lapse_unrecommended", "--apply")
    assert [Dossier.objects.get(pk=d.pk).state for d in dossiers] == [State.LAPSED] * 2 + [State.POOLED] * 2


def run_in_thread(target):
    result = {}

    def body():
        try:
            result["value"] = target()
        except Exception as error:  # reported to the test below
            result["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=body)
    thread.start()
    return thread, result


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_lapse_each_dossier_exactly_once(districts, settings):
    settings.SWEEP_CHUNK_SIZE = 3
    dossiers = pooled(24)
    barrier = threading.Barrier(2)

    def sweep():
        barrier.wait()
        return run_sweep("lapse_unrecommended", MAY_31)

    runs = [run_in_thread(sweep) for _ in range(2)]
    for thread, _result in runs:
        thread.join(60)
    assert [r.get("error") for _t, r in runs] == [None, None]
    assert sum(len(r["value"]) for _t, r in runs) == 24
    assert sorted(lapse_logs()) == sorted(d.pk for d in dossiers)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_row_another_worker_holds_is_skipped_not_waited_for(districts, settings):
    settings.SWEEP_CHUNK_SIZE = 10
    held, free = pooled(2)
    holding, release = threading.Event(), threading.Event()

    def hold():
        with transaction.atomic():
            Dossier.objects.select_for_update().get(pk=held.pk)
            holding.set()
            release.wait(30)

    thread, result = run_in_thread(hold)
    assert holding.wait(10)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '5s'")  # a wait would fail the test, not hang it
        changes = run_sweep("lapse_unrecommended", MAY_31)
    finally:
        release.set()
        thread.join(30)
    assert "error" not in result
    assert len(changes) == 1
    assert lapse_logs() == [free.pk]
    assert len(run_sweep("lapse_unrecommended", MAY_31)) == 1  # the next run takes the row once released
    assert sorted(lapse_logs()) == sorted([held.pk, free.pk])
