"""The deadline sweeps: right rows, nothing else, idempotent, logged as the system."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command

from applications import services
from applications.models import AnnualReport, Dossier, ExclusionDeclaration, RemovalGround, State, TransitionLog
from greenfactory.sweeps import run_sweep
from registry.services import remove_from_list
from reviews.models import Objection
from tests.conftest import at, make_dossier
from tests.factories import AgencyFactory, OrganisationFactory, declare_eligible, district

pytestmark = pytest.mark.django_db


def organisation(code="nanshan"):
    org = OrganisationFactory(district=district(code))
    declare_eligible(org)
    return org


@pytest.fixture
def cycle_2027(world):
    """Dossiers of 2027 in every state around the deadline, and others that must not move."""
    return {
        "pooled": make_dossier(organisation(), year=2027),
        "submitted": make_dossier(organisation(), State.SUBMITTED, year=2027),
        "returned": services.transition(
            make_dossier(organisation(), State.SUBMITTED, year=2027), "return_for_revision", reason="补充"
        ),
        "recommended": make_dossier(organisation(), State.RECOMMENDED, year=2027),
        "next_cycle": make_dossier(organisation(), year=2028),
        "listed": make_dossier(organisation(), State.LISTED, year=2026),
    }


def test_the_sweep_of_31_may_lapses_exactly_the_unrecommended_dossiers(cycle_2027, django_capture_on_commit_callbacks):
    changes = run_sweep("lapse_unrecommended", at(2027, 5, 31, 0, 5))
    states = {name: Dossier.objects.get(pk=d.pk).state for name, d in cycle_2027.items()}
    assert states == {
        "pooled": State.LAPSED,
        "submitted": State.LAPSED,
        "returned": State.LAPSED,
        "recommended": State.RECOMMENDED,
        "next_cycle": State.POOLED,
        "listed": State.LISTED,
    }
    assert len(changes) == 3
    lapses = TransitionLog.objects.filter(transition="lapse")
    assert (lapses.count(), set(lapses.values_list("actor", flat=True))) == (3, {None})


def test_a_second_run_changes_nothing_and_logs_nothing(cycle_2027):
    run_sweep("lapse_unrecommended", at(2027, 5, 31, 0, 5))
    logged, history = TransitionLog.objects.count(), Dossier.history.count()
    assert run_sweep("lapse_unrecommended", at(2027, 5, 31, 0, 6)) == []
    assert (TransitionLog.objects.count(), Dossier.history.count()) == (logged, history)


def test_nothing_lapses_before_the_deadline(cycle_2027):
    assert run_sweep("lapse_unrecommended", at(2027, 5, 30, 23, 59)) == []


def test_districts_get_reminders_14_and_3_days_before_30_may_once(world, django_capture_on_commit_callbacks):
    make_dossier(world.org_a, year=2027)
    mail.outbox.clear()
    for day in (15, 16, 16, 27):
        with django_capture_on_commit_callbacks(execute=True):
            run_sweep("recommendation_reminders", at(2027, 5, day, 9))
    inbox = world.officer_nanshan.notifications.order_by("pk")
    assert [n.title for n in inbox] == [
        "距5月30日推荐截止还有14天（第十五条）：1份档案尚未推荐",
        "距5月30日推荐截止还有3天（第十五条）：1份档案尚未推荐",
    ]
    assert [m.to for m in mail.outbox] == [["ns@example.com"], ["ns@example.com"]]
    assert world.officer_futian.notifications.count() == 0


def test_publicity_is_cleared_after_its_last_working_day_unless_an_objection_is_pending(world):
    clear = make_dossier(world.org_a, State.IN_PUBLICITY)
    held = make_dossier(world.org_b, State.IN_PUBLICITY)
    for dossier in (clear, held):
        Dossier.objects.filter(pk=dossier.pk).update(publicity_ends_on=datetime.date(2026, 10, 9))
    Objection.objects.create(
        dossier=held, objector_kind="person", objector_name="张三", objector_phone="1", content="异议"
    )
    assert run_sweep("clear_ended_publicity", at(2026, 10, 9, 0, 30)) == []  # the last day itself
    assert run_sweep("clear_ended_publicity", at(2026, 10, 11, 0, 30)) == []  # a Sunday: not a working day
    assert len(run_sweep("clear_ended_publicity", at(2026, 10, 10, 0, 30))) == 1  # the make-up Saturday works
    clear.refresh_from_db()
    held.refresh_from_db()
    assert clear.cleared_for_publication_at == at(2026, 10, 10, 0, 30)
    assert held.cleared_for_publication_at is None
    assert run_sweep("clear_ended_publicity", at(2026, 10, 12, 0, 30)) == []


def test_annual_forms_are_opened_reminded_and_marked_overdue(world, django_capture_on_commit_callbacks):
    listed = make_dossier(world.org_a, State.LISTED, year=2026)
    with django_capture_on_commit_callbacks(execute=True):
        assert len(run_sweep("annual_form_reminders", at(2027, 3, 1, 9))) == 1
        assert run_sweep("annual_form_reminders", at(2027, 3, 1, 9)) == []
    report = AnnualReport.objects.get(dossier=listed, year=2027)
    assert report.due_on == datetime.date(2027, 3, 15)
    assert [n.title for n in world.applicant_a.notifications.all()] == [
        "请于2027-03-15前填报2027年度动态管理表（第十九条）"
    ]
    assert run_sweep("mark_overdue_annual_forms", at(2027, 3, 15, 23, 0)) == []
    with django_capture_on_commit_callbacks(execute=True):
        assert len(run_sweep("mark_overdue_annual_forms", at(2027, 3, 16, 0, 10))) == 1
    report.refresh_from_db()
    assert report.overdue_at == at(2027, 3, 16, 0, 10)
    assert "第二十一条第（二）项" in world.officer_nanshan.notifications.latest("pk").title
    assert run_sweep("mark_overdue_annual_forms", at(2027, 3, 17)) == []


def test_triennial_recheck_opens_three_years_after_listing(world):
    listed = make_dossier(world.org_a, State.LISTED, year=2026)  # listed on 2026-09-10
    assert listed.next_recheck_due == datetime.date(2029, 9, 10)
    assert run_sweep("open_due_rechecks", at(2029, 9, 9, 1)) == []
    assert len(run_sweep("open_due_rechecks", at(2029, 9, 10, 1))) == 1
    listed.refresh_from_db()
    assert listed.state == State.RECHECKING
    assert listed.transitions.latest("pk").actor is None
    assert run_sweep("open_due_rechecks", at(2029, 9, 11, 1)) == []


def test_bars_are_lifted_after_three_years(world):
    agency = AgencyFactory()
    agency.bar(decided_on=datetime.date(2025, 6, 1), reason="造假")
    agency.save()
    removed = make_dossier(world.org_a, State.LISTED, year=2026)
    remove_from_list(removed, ground=RemovalGround.FALSIFIED_DATA, reason="造假", now=at(2026, 11, 15))
    assert run_sweep("lift_expired_bars", at(2028, 6, 1)) == []
    assert len(run_sweep("lift_expired_bars", at(2028, 6, 2))) == 1
    agency.refresh_from_db()
    assert agency.barred_until is None
    # 第十二条第（三）项 ends by its date: no sweep and no "no" row is needed to lift it.
    assert world.org_a.active_exclusions(on=datetime.date(2029, 11, 15))
    assert world.org_a.active_exclusions(on=datetime.date(2029, 11, 16)) == []
    assert run_sweep("lift_expired_bars", at(2029, 11, 16)) == []
    assert ExclusionDeclaration.objects.filter(organisation=world.org_a, automatic=True).count() == 1


def test_run_deadlines_is_a_dry_run_unless_applied(cycle_2027, capsys):
    call_command("run_deadlines", "--as-of", "2027-05-31T00:05", "--only", "lapse_unrecommended")
    out = capsys.readouterr().out
    assert "DRY RUN" in out
    assert "lapse_unrecommended: 3" in out
    assert Dossier.objects.filter(state=State.LAPSED).count() == 0
    call_command("run_deadlines", "--as-of", "2027-05-31T00:05", "--apply")
    assert Dossier.objects.filter(state=State.LAPSED).count() == 3


def test_a_passed_rectification_deadline_is_flagged_once(world, django_capture_on_commit_callbacks):
    from registry import rechecks
    from registry.models import Recheck

    listed = make_dossier(world.org_a, State.LISTED)
    services.transition(listed, "open_recheck", by=world.officer_nanshan, reason="复核")
    recheck = rechecks.recheck_of(listed)
    rechecks.propose_recheck(recheck, findings="能耗偏高", proposal=Recheck.Proposal.RECTIFY, by=world.officer_nanshan)
    rechecks.decide_recheck(
        recheck,
        decision=Recheck.Proposal.RECTIFY,
        note="限期整改",
        by=world.municipal,
        rectify_by=datetime.date(2027, 6, 30),
    )
    assert run_sweep("rectification_due", at(2027, 6, 30, 2)) == []
    with django_capture_on_commit_callbacks(execute=True):
        assert len(run_sweep("rectification_due", at(2027, 7, 1, 2))) == 1
        assert run_sweep("rectification_due", at(2027, 7, 2, 2)) == []
    assert world.officer_nanshan.notifications.filter(title__contains="第二十一条").count() == 1
    assert world.officer_futian.notifications.filter(title__contains="整改").count() == 0
