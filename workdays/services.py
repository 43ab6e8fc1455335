"""The one working-day service: is this a working day, add N working days, count working days.

"N working days" counts the start day when it is a working day; make-up weekend days count;
statutory holidays don't (DOMAIN.md; checked against real notices). A year with no schedule loaded
falls back to Monday-Friday, and ``missing_years`` lets the interface warn staff.
"""

import datetime
import re

from django.db import transaction
from django.utils.translation import gettext as _

from workdays.models import DayOverride, ScheduleYear

MAX_SPAN_DAYS = 3 * 366  # no sensible publicity or deadline spans more; guards against runaway loops


class Calendar:
    """Overrides of the years it has been asked about, loaded once per year (one query each)."""

    def __init__(self):
        self._overrides = {}
        self._years = set()

    def _load(self, year):
        if year not in self._years:
            self._years.add(year)
            for date, working in DayOverride.objects.filter(date__year=year).values_list("date", "working"):
                self._overrides[date] = working

    def is_working_day(self, day):
        self._load(day.year)
        if day in self._overrides:
            return self._overrides[day]
        return day.weekday() < 5


def is_working_day(day, calendar=None):
    return (calendar or Calendar()).is_working_day(day)


def add_working_days(start, n, calendar=None):
    """The n-th working day counting ``start`` itself when it is one (n >= 1).

    ``add_working_days(d, 5)`` is the last day of a 5-working-day publicity starting on d (第十七条).
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    calendar = calendar or Calendar()
    day, counted = start, 0
    for _step in range(MAX_SPAN_DAYS):
        if calendar.is_working_day(day):
            counted += 1
            if counted == n:
                return day
        day += datetime.timedelta(days=1)
    raise ValueError("span too long")


def working_days_between(first, last, calendar=None):
    """Working days from ``first`` to ``last``, both included (0 if last < first)."""
    calendar = calendar or Calendar()
    days = (last - first).days + 1
    if days > MAX_SPAN_DAYS:
        raise ValueError("span too long")
    return sum(calendar.is_working_day(first + datetime.timedelta(days=i)) for i in range(max(days, 0)))


def next_working_day(day, calendar=None):
    """``day`` if it is a working day, else the first working day after it."""
    return add_working_days(day, 1, calendar)


def missing_years(years):
    """Those of ``years`` with no official schedule loaded (Monday-Friday is assumed for them)."""
    loaded = set(ScheduleYear.objects.filter(year__in=years).values_list("year", flat=True))
    return sorted(set(years) - loaded)


LINE = re.compile(
    r"^\s*(?P<first>\d{4}-\d{1,2}-\d{1,2})\s*(?:(?:~|～|至|--|—)\s*(?P<last>\d{4}-\d{1,2}-\d{1,2}))?"
    r"\s+(?P<kind>休|班|holiday|off|workday|work)\s*(?P<name>.*)$",
    re.IGNORECASE,
)


class ScheduleError(ValueError):
    pass


def parse_schedule(text, year):
    """Lines like ``2027-10-01~2027-10-07 休 国庆节`` or ``2027-09-26 班 国庆节调休`` -> {date: (working, name)}.

    Every error names its line; a date outside ``year`` is refused.
    """
    entries, errors = {}, []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.strip().startswith("#"):
            continue
        match = LINE.match(raw)
        if not match:
            errors.append(_("Line %(n)d: not understood: “%(line)s”") % {"n": number, "line": raw.strip()})
            continue
        try:
            first = datetime.date.fromisoformat(_iso(match["first"]))
            last = datetime.date.fromisoformat(_iso(match["last"])) if match["last"] else first
        except ValueError:
            errors.append(_("Line %(n)d: not a real date.") % {"n": number})
            continue
        if first.year != year or last.year != year or last < first:
            errors.append(_("Line %(n)d: dates must lie within %(year)d, in order.") % {"n": number, "year": year})
            continue
        working = match["kind"].lower() in ("班", "workday", "work")
        day = first
        while day <= last:
            entries[day] = (working, match["name"].strip())
            day += datetime.timedelta(days=1)
    if errors:
        raise ScheduleError(errors)
    if not entries:
        raise ScheduleError([_("No dates were given.")])
    return entries


def _iso(text):
    y, m, d = text.split("-")
    return f"{int(y):04d}-{int(m):02d}-{int(d):02d}"


@transaction.atomic
def load_schedule(year, entries, *, source):
    """Replace ``year``'s overrides with ``entries`` and mark the year loaded. Returns the number stored."""
    kept = []
    for day, (working, name) in sorted(entries.items()):
        if working == (day.weekday() < 5):
            continue  # a weekend holiday or a weekday working day changes nothing
        DayOverride.objects.update_or_create(date=day, defaults={"working": working, "name": name})
        kept.append(day)
    for stale in DayOverride.objects.filter(date__year=year).exclude(date__in=kept):
        stale.delete()  # a corrected schedule replaces the old one; history keeps the old rows
    ScheduleYear.objects.update_or_create(year=year, defaults={"source": source})
    return len(kept)
