import datetime

import pytest
from django.urls import reverse

from workdays import services
from workdays.models import DayOverride, ScheduleYear

pytestmark = pytest.mark.django_db
D = datetime.date

# 2026 from the State Council notice: holidays on weekdays, and make-up working days.
HOLIDAYS_2026 = [
    D(2026, 1, 1), D(2026, 1, 2),
    D(2026, 2, 16), D(2026, 2, 17), D(2026, 2, 18), D(2026, 2, 19), D(2026, 2, 20), D(2026, 2, 23),
    D(2026, 4, 6),
    D(2026, 5, 1), D(2026, 5, 4), D(2026, 5, 5),
    D(2026, 6, 19),
    D(2026, 9, 25),
    D(2026, 10, 1), D(2026, 10, 2), D(2026, 10, 3), D(2026, 10, 4), D(2026, 10, 5), D(2026, 10, 6), D(2026, 10, 7),
]  # fmt: skip
MAKE_UP_DAYS_2026 = [D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)]


@pytest.mark.parametrize("day", HOLIDAYS_2026, ids=str)
def test_2026_holidays_are_not_working_days(day):
    assert services.is_working_day(day) is False


@pytest.mark.parametrize("day", MAKE_UP_DAYS_2026, ids=str)
def test_2026_make_up_days_are_working_days(day):
    assert day.weekday() >= 5
    assert services.is_working_day(day) is True


def test_every_2026_exception_is_exactly_the_official_list():
    stored = DayOverride.objects.filter(date__year=2026)
    assert sorted(stored.filter(working=True).values_list("date", flat=True)) == MAKE_UP_DAYS_2026
    assert sorted(stored.filter(working=False).values_list("date", flat=True)) == [
        d for d in HOLIDAYS_2026 if d.weekday() < 5
    ]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (D(2026, 9, 28), D(2026, 10, 9)),  # 9-28, 9-29, 9-30, 10-08, 10-09
        (D(2026, 2, 12), D(2026, 2, 25)),  # the make-up Saturday 2-14 counts
        (D(2026, 1, 1), D(2026, 1, 8)),  # starts on a holiday; the make-up Sunday 1-4 counts
        (D(2026, 3, 2), D(2026, 3, 6)),  # an ordinary week
    ],
)
def test_five_working_days(start, end):
    assert services.add_working_days(start, 5) == end
    assert services.working_days_between(start, end) == 5


def test_add_one_working_day_is_the_start_when_it_is_a_working_day():
    assert services.add_working_days(D(2026, 10, 9), 1) == D(2026, 10, 9)
    assert services.next_working_day(D(2026, 10, 1)) == D(2026, 10, 8)


def test_a_year_without_a_schedule_is_refused_and_reported():
    assert services.missing_years([2026, 2027]) == [2027]
    # 2027-01-01 is a Friday: without the schedule nobody knows whether it is a working day.
    with pytest.raises(services.ScheduleNotLoaded) as refused:
        services.add_working_days(D(2027, 1, 1), 5)
    assert refused.value.years == [2027]


def test_loading_next_years_schedule_changes_the_count_without_a_code_change():
    text = "2027-01-01 休 元旦\n# comment\n2027-02-06~2027-02-12 休 春节\n2027-02-13 班 春节调休\n"
    entries = services.parse_schedule(text, 2027)
    assert (
        services.load_schedule(2027, entries, source="国办发明电〔2026〕X号") == 7
    )  # 1-1, 2-8…2-12, 2-13; weekend holidays are not stored
    assert services.missing_years([2027]) == []
    assert services.add_working_days(D(2027, 1, 1), 5) == D(2027, 1, 8)
    assert services.is_working_day(D(2027, 2, 13)) is True
    # A corrected schedule replaces the old one.
    services.load_schedule(2027, services.parse_schedule("2027-01-01 休 元旦", 2027), source="更正")
    assert services.is_working_day(D(2027, 2, 8)) is True


def test_schedule_errors_name_their_line():
    with pytest.raises(services.ScheduleError) as error:
        services.parse_schedule("2027-01-01 休 元旦\nnonsense\n2026-12-31 休 错年", 2027)
    assert error.value.args[0] == ["第2行：无法识别：“nonsense”", "第3行：日期必须在2027年内且按先后顺序。"]


def test_staff_are_warned_of_a_missing_year_and_can_load_it(client, world):
    world.municipal.save()
    client.force_login(world.municipal)
    year = datetime.date.today().year
    ScheduleYear.objects.filter(year__gte=year).delete()
    page = client.get(reverse("calendar")).content.decode()
    assert 'data-testid="schedule-warning"' in page
    response = client.post(
        reverse("calendar"), {"year": year + 1, "source": "测试", "text": f"{year + 1}-01-01 休 元旦"}
    )
    assert response.status_code == 302
    assert ScheduleYear.objects.filter(year=year + 1).exists()


def test_calendar_page_is_for_city_staff_only(client, world):
    client.force_login(world.officer_nanshan)
    assert client.get(reverse("calendar")).status_code == 404
