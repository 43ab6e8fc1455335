"""Issue 14, "Killed worker" and "Lost ticks": sweeps are acknowledged late and redelivered within the configured
visibility timeout, retry for half an hour when the database or the broker is down, run every day, and change
nothing on a day that is not theirs; a 31 May missed is caught up on 2 June.

The last test is the acceptance test with a real worker, Redis and PostgreSQL: it starts its own workers (on a
queue and a Redis database of its own, so the suite's shared worker never sees the task), kills the first with
SIGKILL after a chunk has committed, and checks that a second worker gets the task again within the visibility
timeout and that every dossier lapses exactly once.
"""

import contextlib
import datetime
import os
import runpy
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import time_machine
from celery.schedules import crontab
from django.db import OperationalError, connection

from accounts.models import Notification, Role, SentReminder
from applications import services, transition_chain
from applications.models import AnnualReport, Dossier, Kind, State, TransitionLog
from greenfactory import sweeps
from greenfactory.celery import app
from greenfactory.sweeps import SWEEPS, TASKS, run_sweep
from tests.conftest import at, make_dossier
from tests.factories import OrganisationFactory, UserFactory, declare_eligible, district

BASE_DIR = Path(__file__).resolve().parent.parent


# --- Configuration -------------------------------------------------------------------------------------------


def product_settings(monkeypatch, **env):
    """greenfactory/settings.py evaluated afresh under ``env`` (the environment a deployment gives it)."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(BASE_DIR / "greenfactory" / "settings.py"))


def test_redis_gets_a_short_visibility_timeout_configurable_by_environment(monkeypatch):
    monkeypatch.delenv("CELERY_VISIBILITY_TIMEOUT", raising=False)
    monkeypatch.delenv("CELERY_UNACKED_RESTORE_INTERVAL", raising=False)
    default = product_settings(monkeypatch, REDIS_URL="redis://127.0.0.1:6379/6")
    options = default["CELERY_BROKER_TRANSPORT_OPTIONS"]
    assert options["visibility_timeout"] == 600  # not kombu's hour
    assert options["unacked_restore_interval"] * options["unacked_restore_throttle"] <= 60
    # A retry waits on a worker unacknowledged: its longest countdown stays well below the visibility timeout.
    assert options["visibility_timeout"] >= sweeps.RETRY_BACKOFF_MAX * 1.5

    tuned = product_settings(
        monkeypatch,
        REDIS_URL="redis://127.0.0.1:6379/6",
        CELERY_VISIBILITY_TIMEOUT="420",
        CELERY_UNACKED_RESTORE_INTERVAL="5",
        CELERY_BEAT_SCHEDULE_FILENAME="/srv/beat/celerybeat-schedule",
    )
    assert tuned["CELERY_BROKER_TRANSPORT_OPTIONS"]["visibility_timeout"] == 420
    assert tuned["CELERY_BROKER_TRANSPORT_OPTIONS"]["unacked_restore_interval"] == 5
    assert tuned["CELERY_BEAT_SCHEDULE_FILENAME"] == "/srv/beat/celerybeat-schedule"
    assert tuned["CELERY_TASK_ACKS_LATE"] is True
    assert tuned["CELERY_TASK_REJECT_ON_WORKER_LOST"] is True
    assert tuned["CELERY_WORKER_PREFETCH_MULTIPLIER"] == 1


def test_sweep_tasks_are_acknowledged_late_and_retry_for_half_an_hour():
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    assert app.conf.worker_prefetch_multiplier == 1
    assert set(TASKS) == set(SWEEPS)
    for name, task in TASKS.items():
        assert task.name == f"greenfactory.sweeps.{name}"
        assert task.acks_late and task.reject_on_worker_lost
        assert task.max_retries == sweeps.MAX_RETRIES
        assert {OperationalError, sweeps.InterfaceError, sweeps.BrokerError} <= set(task.autoretry_for)
        assert (task.retry_backoff, task.retry_backoff_max, task.retry_jitter) == (5, 300, False)
    # 5, 10, 20, 40, 80, 160, then 300 s: 12 retries wait 35 minutes, not ~11 seconds
    assert sweeps.RETRY_WAIT_SECONDS == 2115 >= 30 * 60


def test_every_sweep_has_a_daily_slot_in_the_beat_schedule(settings):
    slots = {}
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        slots.setdefault(entry["task"], []).append(entry["schedule"])
    for name in SWEEPS:
        [schedule] = slots[f"greenfactory.sweeps.{name}"]
        assert isinstance(schedule, crontab)
        assert schedule.day_of_month == set(range(1, 32)), name
        assert schedule.month_of_year == set(range(1, 13)), name
        assert schedule.day_of_week == set(range(7)), name
        assert len(schedule.hour) == 1 and len(schedule.minute) == 1, name  # once a day
    verify = slots["greenfactory.sweeps.verify_audit"][0]
    assert (verify.hour, verify.minute) == ({3}, {30})
    assert SWEEPS["verify_audit"].__qualname__ == "verify_audit_trail"


@pytest.mark.django_db
def test_a_sweep_task_that_meets_a_database_error_is_retried_until_it_runs(monkeypatch, districts):
    calls = []

    def down_twice(now):
        calls.append(now)
        if len(calls) <= 2:
            raise OperationalError("could not connect to server: Connection refused")
        return ["done"]

    monkeypatch.setitem(SWEEPS, "expire_exports", down_twice)
    result = TASKS["expire_exports"].apply(kwargs={"as_of": "2027-06-02T03:00"}, throw=False)
    assert len(calls) == 3
    assert result.successful() and result.get() == 1


@pytest.mark.django_db
def test_a_sweep_task_gives_up_only_after_its_last_retry(monkeypatch, districts):
    calls = []

    def always_down(now):
        calls.append(now)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setitem(SWEEPS, "expire_exports", always_down)
    result = TASKS["expire_exports"].apply(throw=False)
    assert len(calls) == sweeps.MAX_RETRIES + 1
    assert result.failed() and isinstance(result.result, OperationalError)


@pytest.mark.django_db
def test_a_programming_error_is_not_retried(monkeypatch, districts):
    calls = []

    def broken(now):
        calls.append(now)
        raise ValueError("a bug, not an outage")

    monkeypatch.setitem(SWEEPS, "expire_exports", broken)
    result = TASKS["expire_exports"].apply(throw=False)
    assert len(calls) == 1 and result.failed()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_database_unreachable_at_task_start_is_retried_and_the_sweep_runs_when_it_is_back(monkeypatch, districts):
    """A real connection failure (PostgreSQL on a closed port), not a raised exception: the task retries, and
    the attempt after the database is back runs the real sweep."""
    OrganisationFactory()
    real_port = connection.settings_dict["PORT"]
    calls = []
    real = SWEEPS["lapse_unrecommended"]

    def sweep_as_the_database_returns(now):
        calls.append(now)
        if len(calls) == 3:
            connection.settings_dict["PORT"] = real_port
            connection.close()
        return real(now)

    monkeypatch.setitem(SWEEPS, "lapse_unrecommended", sweep_as_the_database_returns)
    connection.close()
    connection.settings_dict["PORT"] = "1"  # nothing listens there: connection refused
    try:
        with pytest.raises(OperationalError):
            connection.ensure_connection()
        result = TASKS["lapse_unrecommended"].apply(kwargs={"as_of": "2027-06-02T00:05"}, throw=False)
    finally:
        connection.settings_dict["PORT"] = real_port
        connection.close()
    assert len(calls) == 3
    assert result.successful() and result.get() == 0


# --- Every sweep daily: nothing on a day that is not its own, catching up after a missed day ---------------


def pending_2027(world):
    """A world with work for every date-specific sweep: dossiers of 2027 not yet recommended (reminders on 16
    and 27 May, lapse from 31 May), one recommended, and a unit listed in 2026 (its 2027 annual form: reminders
    on 1 and 10 March, overdue from 16 March)."""
    officer_nanshan = world.officer_nanshan
    pooled = services.pool(world.org_a, Kind.FACTORY, 2027, now=at(2027, 1, 15))
    submitted = make_dossier(world.org_b, State.SUBMITTED, year=2027)
    other = OrganisationFactory(district=district("nanshan"))
    declare_eligible(other)
    recommended = make_dossier(other, State.RECOMMENDED, year=2027)
    veteran = OrganisationFactory(district=district("futian"))
    declare_eligible(veteran)
    listed = make_dossier(veteran, State.LISTED, year=2026)
    UserFactory(role=Role.APPLICANT, organisation=veteran)
    return officer_nanshan, pooled, submitted, recommended, listed


def footprint():
    """What a sweep may change: states, log and history rows, notifications, reminder keys, annual forms."""
    return {
        "states": dict(Dossier.objects.values_list("pk", "state")),
        "log": TransitionLog.objects.count(),
        "history": Dossier.history.count(),
        "notifications": Notification.objects.count(),
        "reminders": SentReminder.objects.count(),
        "forms": list(AnnualReport.objects.values_list("pk", "status", "overdue_at").order_by("pk")),
        "form_history": AnnualReport.history.count(),
    }


def run_all(now, capture):
    """Every sweep as the beat runs them on that day (the clock too: rows they write are stamped ``now``)."""
    with time_machine.travel(now, tick=False), capture(execute=True):
        return {name: run_sweep(name, now) for name in SWEEPS}


def day(month, d, hour=9, minute=0):
    return at(2027, month, d, hour, minute)


@pytest.mark.django_db
def test_the_date_specific_sweeps_do_nothing_on_other_days(world, django_capture_on_commit_callbacks):
    pending_2027(world)
    run_all(day(2, 20), django_capture_on_commit_callbacks)  # whatever the world had to catch up before
    ordinary = [day(2, 28), day(3, 2), day(3, 9), day(3, 11), day(5, 15), day(5, 17), day(5, 26), day(5, 28)]
    ordinary.append(at(2027, 5, 30, 23, 59))
    date_specific = ["recommendation_reminders", "annual_form_reminders", "lapse_unrecommended"]
    for moment in ordinary:
        before = footprint()
        with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
            for name in date_specific:
                assert run_sweep(name, moment) == [], (name, moment)
        assert footprint() == before, moment

    # ... and each acts on its own day (so the world above did give them something to do), once.
    for name, moment in [
        ("annual_form_reminders", day(3, 1)),
        ("recommendation_reminders", day(5, 16)),
        ("lapse_unrecommended", at(2027, 5, 31, 0, 5)),
    ]:
        with django_capture_on_commit_callbacks(execute=True):
            assert run_sweep(name, moment) != [], name
            assert run_sweep(name, moment) == [], name
            assert run_sweep(name, moment + datetime.timedelta(days=1)) == [], name


@pytest.mark.django_db
def test_every_sweep_run_every_day_changes_nothing_the_second_time(world, django_capture_on_commit_callbacks):
    """The beat runs every sweep every day: on any day, a run after the day's first changes nothing, and an
    ordinary day after a day whose sweeps have run finds nothing either."""
    pending_2027(world)
    for first, second in [
        (day(2, 20), day(2, 21)),
        (day(3, 1), day(3, 2)),
        (day(4, 20), day(4, 21)),
        (at(2027, 5, 31, 0, 5), day(6, 1)),
        (day(7, 15), day(7, 16)),
        (day(11, 3), day(11, 4)),
    ]:
        run_all(first, django_capture_on_commit_callbacks)
        done = footprint()
        assert run_all(first, django_capture_on_commit_callbacks) == {name: [] for name in SWEEPS}, first
        assert footprint() == done
        assert run_all(second, django_capture_on_commit_callbacks) == {name: [] for name in SWEEPS}, second
        assert footprint() == done
    assert transition_chain.verify()[1] == []


@pytest.mark.django_db
def test_a_31_may_missed_is_caught_up_on_2_june_and_16_march_on_18_march(world, django_capture_on_commit_callbacks):
    officer, pooled, submitted, recommended, listed = pending_2027(world)
    run_all(day(3, 10), django_capture_on_commit_callbacks)  # the reminders ran; then the beat lost 16 March

    changes = run_all(at(2027, 3, 18, 0, 10), django_capture_on_commit_callbacks)
    assert len(changes["mark_overdue_annual_forms"]) == 1
    assert AnnualReport.objects.get(dossier=listed, year=2027).overdue_at == at(2027, 3, 18, 0, 10)

    # 31 May and 1 June lost (broker down): the first daily run after catches up.
    applicant_notes = Notification.objects.filter(recipient=world.applicant_a).count()
    officer_notes = Notification.objects.filter(recipient=officer).count()
    changes = run_all(at(2027, 6, 2, 0, 5), django_capture_on_commit_callbacks)
    assert len(changes["lapse_unrecommended"]) == 2
    assert Dossier.objects.get(pk=pooled.pk).state == State.LAPSED
    assert Dossier.objects.get(pk=submitted.pk).state == State.LAPSED
    assert Dossier.objects.get(pk=recommended.pk).state == State.RECOMMENDED
    for dossier in (pooled, submitted):
        entry = TransitionLog.objects.get(dossier=dossier, transition="lapse")
        assert entry.actor is None and entry.at == at(2027, 6, 2, 0, 5)
    assert Notification.objects.filter(recipient=world.applicant_a).count() == applicant_notes + 1
    assert Notification.objects.filter(recipient=officer).count() == officer_notes + 1  # the district's digest

    done = footprint()
    assert run_all(at(2027, 6, 3, 0, 5), django_capture_on_commit_callbacks) == {name: [] for name in SWEEPS}
    assert footprint() == done
    assert transition_chain.verify()[1] == []


# --- Acceptance: a real worker killed mid-sweep ----------------------------------------------------------------

VISIBILITY_TIMEOUT = 10
CHUNK_PAUSE = 1.5
DOSSIERS = 10
CHUNK = 2


def own_redis_url():
    """The environment's Redis, another database number: the workers this test starts restore unacknowledged
    messages after 10 s, which must never touch the tasks of the suite's shared worker."""
    parts = urlsplit(os.environ["REDIS_URL"])
    number = os.environ.get("GF_TEST_RELIABILITY_REDIS_DB", "15")
    return urlunsplit(parts._replace(path=f"/{number}"))


def worker_database_url():
    """The database pytest-django created (test_<name>), which the test's own connection uses."""
    s = connection.settings_dict
    user = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{user}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def start_worker(queue, log_path, env):
    log = open(log_path, "w")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tests.slow_sweep_worker",
            "worker",
            "--pool",
            "solo",
            "--concurrency",
            "1",
            "--loglevel",
            "INFO",
            "-Q",
            queue,
            "-n",
            f"{log_path.stem}-{uuid.uuid4().hex[:6]}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    process.log = log
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if "ready" in log_path.read_text():
            return process
        if process.poll() is not None:
            break
        time.sleep(0.2)
    stop(process)
    raise AssertionError(f"worker did not start:\n{log_path.read_text()}")


def stop(process, sig=signal.SIGTERM):
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    process.log.close()


def lapsed_count(pks):
    return Dossier.objects.filter(pk__in=pks, state=State.LAPSED).count()


@pytest.mark.celery_worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_sweep_is_redelivered_within_the_timeout_and_every_row_changes_once(districts, tmp_path):
    from operations.models import SweepRun

    dossiers = []
    for _i in range(DOSSIERS):
        organisation = OrganisationFactory(district=district("nanshan"))
        declare_eligible(organisation)
        dossiers.append(services.pool(organisation, Kind.FACTORY, 2027, now=at(2027, 1, 15)).pk)
    queue = f"gf-reliability-{uuid.uuid4().hex[:8]}"
    broker = own_redis_url()
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": broker,
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "SWEEP_CHUNK_SIZE": str(CHUNK),
        "GF_TEST_CHUNK_PAUSE": str(CHUNK_PAUSE),
    }
    first = start_worker(queue, tmp_path / "first.log", env)
    second = None
    try:
        sent_at = time.monotonic()
        with app.connection_for_write(broker) as conn:
            sent = TASKS["lapse_unrecommended"].apply_async(
                kwargs={"as_of": "2027-05-31T00:05"}, queue=queue, connection=conn
            )
        deadline = time.monotonic() + 60
        while lapsed_count(dossiers) == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(first.pid, signal.SIGKILL)  # a chunk has committed; the worker is pausing before the next
        first.wait(timeout=10)
        stop(first)
        done_by_first = lapsed_count(dossiers)
        assert 0 < done_by_first < DOSSIERS, (tmp_path / "first.log").read_text()
        time.sleep(CHUNK_PAUSE + 1)
        assert lapsed_count(dossiers) == done_by_first  # nobody else works on it: the task is unacknowledged

        second = start_worker(queue, tmp_path / "second.log", env)
        # Due back once the visibility timeout has passed since the first delivery and a worker is there to
        # restore it (it looks every second here); 20 s of margin for a loaded machine.
        due = max(sent_at + VISIBILITY_TIMEOUT, time.monotonic())
        deadline = due + 20
        while lapsed_count(dossiers) == done_by_first and time.monotonic() < deadline:
            time.sleep(0.1)
        resumed_at = time.monotonic()
        assert lapsed_count(dossiers) > done_by_first, (tmp_path / "second.log").read_text()
        # Given back by the visibility timeout (counted from the first delivery), not kombu's default hour:
        assert resumed_at - sent_at >= VISIBILITY_TIMEOUT - 1
        assert resumed_at <= due + 20, resumed_at - sent_at  # not kombu's default hour
        deadline = time.monotonic() + 60
        while not SweepRun.objects.filter(name="lapse_unrecommended", ok=True).exists():
            assert time.monotonic() < deadline, (tmp_path / "second.log").read_text()
            time.sleep(0.2)
    finally:
        stop(first, signal.SIGKILL)
        if second is not None:
            stop(second)
        _forget_queue(broker, queue)

    assert lapsed_count(dossiers) == DOSSIERS
    logs = list(TransitionLog.objects.filter(transition="lapse").values_list("dossier_id", flat=True))
    assert sorted(logs) == sorted(dossiers)  # every dossier lapsed, exactly once
    assert Dossier.history.filter(state=State.LAPSED).count() == DOSSIERS
    assert transition_chain.verify()[1] == []
    run = SweepRun.objects.get(name="lapse_unrecommended", ok=True)
    assert run.changes == DOSSIERS - done_by_first  # the redelivered run did what the killed one had not
    assert f"[{sent.id}] received" in (tmp_path / "first.log").read_text()
    assert f"[{sent.id}] received" in (tmp_path / "second.log").read_text()
    assert f"[{sent.id}] succeeded" in (tmp_path / "second.log").read_text()


def _forget_queue(broker, queue):
    import redis

    client = redis.Redis.from_url(broker)
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    client.close()
