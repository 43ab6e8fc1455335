"""第十七条: a publicity lasts 5 working days; the working-day calendar never guesses a year it doesn't know.

A period reaching into a year whose official holiday schedule is not loaded is refused, naming the year
and the calendar page where staff load it. 2004-2026 are seeded; 2027's schedule is not published in this
world, so the tests load a plausible one (2027-01-01 休 元旦).
"""

import datetime
import logging

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.models import Notification
from applications.models import Dossier, State
from applications.services import TransitionRefused
from greenfactory.sweeps import run_sweep
from reviews import publicity
from reviews.models import PublicityBatch
from tests.conftest import at, make_dossier
from workdays import services

pytestmark = pytest.mark.django_db
D = datetime.date

# 2026-12-29 Tue, 12-30 Wed, 12-31 Thu, 2027-01-01 Fri (元旦), 01-04 Mon, 01-05 Tue: the fifth working day.
STARTS_ON = D(2026, 12, 29)
ENDS_ON = D(2027, 1, 5)
REASON = "专家评审结论已由局务会议确认"  # the written reason for a pick without recorded expert scores


def load_2027():
    entries = services.parse_schedule("2027-01-01 休 元旦", 2027)
    services.load_schedule(2027, entries, source="测试：假定的2027年安排")


def open_publicity(world, starts_on=STARTS_ON):
    return publicity.create_publicity_batch(
        year=2026,
        title="2026年度市级绿色工厂拟认定名单（第二批）",
        starts_on=starts_on,
        picks=[(make_dossier(world.org_a, State.IN_REVIEW), None, REASON)],
        contact="节能处 0755-88100000",
        by=world.municipal,
    )


def test_counting_into_2027_while_it_is_not_loaded_is_refused_naming_2027():
    assert services.missing_years([2026, 2027]) == [2027]
    with pytest.raises(services.ScheduleNotLoaded) as refused:
        services.add_working_days(STARTS_ON, 5)
    assert refused.value.years == [2027]
    assert "2027" in refused.value.message
    assert reverse("calendar") in refused.value.message
    with pytest.raises(services.ScheduleNotLoaded):
        services.next_working_day(D(2027, 1, 1))


def test_counting_between_two_unloaded_years_names_both():
    with pytest.raises(services.ScheduleNotLoaded) as refused:
        services.working_days_between(D(2027, 12, 27), D(2028, 1, 7))
    assert refused.value.years == [2027, 2028]


def test_a_publicity_starting_29_december_2026_is_refused_while_2027_is_not_loaded(world):
    with pytest.raises(TransitionRefused) as refused:
        open_publicity(world)
    assert refused.value.message == services.ScheduleNotLoaded([2027]).message
    assert PublicityBatch.objects.count() == 0
    assert Dossier.objects.get().state == State.IN_REVIEW


def test_the_publicity_screen_shows_the_refusal_instead_of_crashing(client, world):
    dossier = make_dossier(world.org_a, State.IN_REVIEW)
    with time_machine.travel(at(2026, 12, 28), tick=False):
        client.force_login(world.municipal)
        response = client.post(
            reverse("create_publicity") + "?year=2026&kind=factory",
            {
                "dossiers": [dossier.pk],
                f"note_{dossier.pk}": REASON,
                "title": "拟认定名单",
                "starts_on": "2026-12-29",
                "contact": "节能处",
            },
        )
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [services.ScheduleNotLoaded([2027]).message]
    assert PublicityBatch.objects.count() == 0


def test_after_loading_2027_the_publicity_ends_on_5_january_2027(world):
    load_2027()
    assert services.add_working_days(STARTS_ON, 5) == ENDS_ON
    assert services.working_days_between(STARTS_ON, ENDS_ON) == 5
    batch = open_publicity(world)
    assert batch.ends_on == ENDS_ON
    assert Dossier.objects.get().publicity_ends_on == ENDS_ON


def test_a_provisional_count_takes_new_years_day_off_and_says_it_is_provisional():
    assert services.provisional_end(STARTS_ON, 5) == (ENDS_ON, True)
    assert services.add_working_days(STARTS_ON, 5, provisional=True) == ENDS_ON
    calendar = services.Calendar(provisional=True)
    assert calendar.is_working_day(D(2027, 1, 1)) is False
    assert calendar.is_working_day(D(2027, 1, 4)) is True
    assert calendar.provisional_years == {2027}
    # A count inside loaded years is not provisional; the default count still refuses 2027.
    assert services.provisional_end(D(2026, 9, 28), 5) == (D(2026, 10, 9), False)
    with pytest.raises(services.ScheduleNotLoaded):
        services.add_working_days(STARTS_ON, 5)


def test_the_provisional_count_knows_the_13_statutory_holidays_lunar_ones_included():
    # 元旦; 春节 除夕-初三 (2027-02-05 to 02-08); 清明; 劳动节 1-2 May; 端午 (06-09); 中秋 (09-15); 国庆 1-3 October.
    assert sorted(services.statutory_holidays(2027)) == [
        D(2027, 1, 1),
        D(2027, 2, 5),
        D(2027, 2, 6),
        D(2027, 2, 7),
        D(2027, 2, 8),
        D(2027, 4, 5),
        D(2027, 5, 1),
        D(2027, 5, 2),
        D(2027, 6, 9),
        D(2027, 9, 15),
        D(2027, 10, 1),
        D(2027, 10, 2),
        D(2027, 10, 3),
    ]
    # Checked against a published schedule: 2026's lunar holidays fall where the State Council put them.
    holidays_2026 = services.statutory_holidays(2026)
    assert {D(2026, 2, 16), D(2026, 2, 17), D(2026, 6, 19), D(2026, 9, 25)} <= holidays_2026
    assert all(not services.is_working_day(day) for day in holidays_2026)


def test_the_publicity_sweep_over_an_unloaded_year_skips_logs_and_tells_staff_once(
    world, caplog, django_capture_on_commit_callbacks
):
    open_publicity(world, starts_on=D(2026, 12, 24))  # 24, 25, 28, 29, 30 December: ends 2026-12-30
    caplog.set_level(logging.WARNING, logger="greenfactory.deadlines")
    for hour in (0, 1):
        with django_capture_on_commit_callbacks(execute=True):
            assert run_sweep("clear_ended_publicity", at(2027, 1, 4, hour, 30)) == []
    assert Dossier.objects.get().cleared_for_publication_at is None
    assert [r.levelname for r in caplog.records if "clear_ended_publicity skipped" in r.getMessage()] == [
        "WARNING",
        "WARNING",
    ]
    notices = Notification.objects.filter(recipient=world.municipal)
    assert list(notices.values_list("title", "url")) == [
        (services.ScheduleNotLoaded([2027]).message, reverse("calendar"))
    ]
    load_2027()
    assert len(run_sweep("clear_ended_publicity", at(2027, 1, 4, 2, 30))) == 1


def test_city_staff_see_the_warning_on_the_calendar_page_not_on_every_page(client, world):
    with time_machine.travel(at(2026, 12, 29), tick=False):
        client.force_login(world.municipal)
        warning = page_warning(client.get(reverse("calendar")))
        assert "2027" in warning
        assert page_warning(client.get(reverse("home"))) == ""
        client.force_login(world.applicant_a)
        assert page_warning(client.get(reverse("home"))) == ""
        load_2027()
        client.force_login(world.municipal)
        assert page_warning(client.get(reverse("calendar"))) == ""


def test_the_publicity_screen_warns_when_a_publicity_starting_today_reaches_an_unloaded_year(client, world):
    make_dossier(world.org_a, State.IN_REVIEW)
    ranking = reverse("ranking") + "?year=2026&kind=factory"
    with time_machine.travel(at(2026, 11, 30), tick=False):
        client.force_login(world.municipal)
        assert page_warning(client.get(ranking)) == ""  # ends in December 2026
    with time_machine.travel(at(2026, 12, 29), tick=False):
        client.force_login(world.municipal)
        warning = page_warning(client.get(ranking))
    assert "2027" in warning
    assert reverse("calendar") in warning


def page_warning(response):
    """The schedule warning's HTML, or "" when the page has none."""
    assert response.status_code == 200
    page = response.content.decode()
    marker = 'data-testid="schedule-warning"'
    if marker not in page:
        return ""
    return page[page.index(marker) : page.index("</div>", page.index(marker))]
