"""第十九条 (annual form by 15 March), 第二十一条第（二）项 (not filing on time is a removal ground).

The 16 March sweep flags every unit listed before the year that has not filed, whether or not a reminder
run opened its form; a unit listed during the year files from the next year; a second run changes nothing.
"""

import datetime

import pytest

from applications import annual
from applications.models import AnnualReport, RemovalGround, State
from greenfactory.sweeps import run_sweep
from registry.services import remove_from_list
from tests.conftest import at, make_dossier
from tests.test_after_listing import NO_EXCLUSIONS

pytestmark = pytest.mark.django_db


def test_a_unit_listed_in_2025_without_a_2026_form_is_flagged_although_no_reminder_ran(
    world, django_capture_on_commit_callbacks
):
    listed = make_dossier(world.org_a, State.LISTED, year=2025)  # listed on 2025-09-10
    assert AnnualReport.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        changes = run_sweep("mark_overdue_annual_forms", at(2026, 3, 16, 0, 10))

    report = AnnualReport.objects.get()
    assert (report.dossier, report.year, report.due_on) == (listed, 2026, datetime.date(2026, 3, 15))
    assert (report.status, report.overdue_at) == (AnnualReport.Status.DUE, at(2026, 3, 16, 0, 10))
    assert len(changes) == 1
    assert world.officer_nanshan.notifications.latest("pk").title == (
        "深圳市甲绿色制造有限公司未按时填报2026年度动态管理表（第二十一条第（二）项移出情形）"
    )


def test_running_the_sweep_twice_changes_nothing(world, django_capture_on_commit_callbacks):
    make_dossier(world.org_a, State.LISTED, year=2025)
    with django_capture_on_commit_callbacks(execute=True):
        run_sweep("mark_overdue_annual_forms", at(2026, 3, 16, 0, 10))
    before = list(AnnualReport.objects.values_list("pk", "year", "status", "overdue_at"))

    with django_capture_on_commit_callbacks(execute=True):
        again = [run_sweep("mark_overdue_annual_forms", when) for when in (at(2026, 3, 16, 0, 10), at(2026, 3, 17))]

    assert again == [[], []]
    assert list(AnnualReport.objects.values_list("pk", "year", "status", "overdue_at")) == before
    assert world.officer_nanshan.notifications.count() == 1


def test_nothing_is_flagged_before_the_due_date_passes(world):
    make_dossier(world.org_a, State.LISTED, year=2025)

    assert run_sweep("mark_overdue_annual_forms", at(2026, 3, 15, 23, 0)) == []
    assert AnnualReport.objects.filter(overdue_at__isnull=False).count() == 0


def test_a_submitted_form_is_not_flagged(world):
    listed = make_dossier(world.org_a, State.LISTED, year=2025)
    annual.submit_report(
        annual.open_report(listed, 2026), values={}, compliance=NO_EXCLUSIONS, changes=[], by=world.applicant_a
    )

    assert run_sweep("mark_overdue_annual_forms", at(2026, 3, 16, 0, 10)) == []
    assert AnnualReport.objects.get().overdue_at is None


def test_a_unit_listed_during_the_year_is_due_only_from_the_next_year(world):
    make_dossier(world.org_a, State.LISTED, year=2026)  # listed on 2026-09-10

    assert run_sweep("mark_overdue_annual_forms", at(2026, 11, 1)) == []
    assert AnnualReport.objects.count() == 0


def test_a_removed_unit_is_not_asked_for_a_form(world):
    removed = make_dossier(world.org_a, State.LISTED, year=2025)
    remove_from_list(
        removed, ground=RemovalGround.FALSIFIED_DATA, reason="造假", by=world.municipal, now=at(2025, 12, 1)
    )

    assert run_sweep("mark_overdue_annual_forms", at(2026, 3, 16, 0, 10)) == []
    assert AnnualReport.objects.count() == 0
