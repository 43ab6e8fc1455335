"""The one working-day service: is this a working day, add N working days, count working days.

"N working days" counts the start day when it is a working day; make-up weekend days count;
statutory holidays don't (DOMAIN.md; checked against real notices). The calendar never guesses
silently: a day of a year whose official schedule is not loaded raises ``ScheduleNotLoaded``, which
tells staff to load it at /calendar/ (a publicity of 5 working days, 第十七条, must not count New
Year's Day as a working day). ``provisional=True`` opts in to an estimate for such years, marked as
such by ``provisional_end``; it is never the date of a notice.
"""

import datetime
import functools
import re

from chinese_calendar import get_solar_terms
from django.db import transaction
from django.db.models import BooleanField, DateField, Value
from django.urls import reverse
from django.utils.translation import gettext as _
from lunar_python import Lunar

from workdays.models import DayOverride, ScheduleYear

MAX_SPAN_DAYS = 3 * 366  # no sensible publicity or deadline spans more; guards against runaway loops


class ScheduleNotLoaded(ValueError):
    """A count reaches into a year whose official holiday schedule (ScheduleYear) is not loaded."""

    def __init__(self, years):
        self.years = sorted(set(years))
        self.message = _(
            "The official holiday schedule of %(years)s is not loaded: working days there cannot be counted. "
            "Staff load it on the working-day calendar page (%(url)s)."
        ) % {"years": ", ".join(str(year) for year in self.years), "url": reverse("calendar")}
        super().__init__(self.message)


@functools.cache
def statutory_holidays(year):
    """The 13 days off of 《全国年节及纪念日放假办法》 (2025 revision) falling in ``year``.

    元旦 1 January; 春节 除夕 to 正月初三 (4 days); 清明节 (the 清明 solar term); 劳动节 1-2 May; 端午节
    (五月初五); 中秋节 (八月十五); 国庆节 1-3 October. Lunar dates come from lunar-python. The official
    schedule's make-up working days and days in lieu are unknown until it is published: only for
    provisional counts, never a date on a notice.
    """
    days = {datetime.date(year, 1, 1), datetime.date(year, 5, 1), datetime.date(year, 5, 2)}
    days |= {datetime.date(year, 10, day) for day in (1, 2, 3)}
    if 1900 <= year <= 2100:  # the range of chinesecalendar's solar-term formula
        days |= {
            day
            for day, term in get_solar_terms(datetime.date(year, 4, 1), datetime.date(year, 4, 30))
            if term == "清明"
        }
    new_year = Lunar.fromYmd(year, 1, 1)
    days |= {_solar(new_year.next(offset)) for offset in (-1, 0, 1, 2)}  # 除夕 to 初三
    days |= {_solar(Lunar.fromYmd(year, 5, 5)), _solar(Lunar.fromYmd(year, 8, 15))}
    return frozenset(day for day in days if day.year == year)


def _solar(lunar_day):
    solar = lunar_day.getSolar()
    return datetime.date(solar.getYear(), solar.getMonth(), solar.getDay())


class Calendar:
    """Overrides of the years it has been asked about, loaded once per year (one query each).

    With ``provisional=True`` a year without an official schedule counts weekends and
    ``statutory_holidays`` as days off instead of being refused; ``provisional_years`` records where
    that happened.
    """

    def __init__(self, provisional=False):
        self.provisional = provisional
        self.provisional_years = set()
        self._overrides = {}
        self._years = set()
        self._loaded = set()

    def _load(self, year):
        if year in self._years:
            return
        self._years.add(year)
        # One query: the year's overrides, plus a (NULL, NULL) row when its ScheduleYear exists.
        loaded = (
            ScheduleYear.objects.filter(year=year)
            .order_by()
            .values_list(Value(None, output_field=DateField()), Value(None, output_field=BooleanField()))
        )
        rows = DayOverride.objects.filter(date__year=year).order_by().values_list("date", "working").union(loaded)
        for date, working in rows:
            if date is None:
                self._loaded.add(year)
            else:
                self._overrides[date] = working

    def require(self, years):
        """Raise ``ScheduleNotLoaded`` naming every one of ``years`` without a schedule (unless provisional)."""
        for year in years:
            self._load(year)
        missing = [year for year in years if year not in self._loaded]
        if missing and not self.provisional:
            raise ScheduleNotLoaded(missing)
        self.provisional_years.update(missing)

    def is_working_day(self, day):
        self.require([day.year])
        if day in self._overrides:
            return self._overrides[day]
        if day.year not in self._loaded and day in statutory_holidays(day.year):
            return False
        return day.weekday() < 5


def is_working_day(day, calendar=None):
    return (calendar or Calendar()).is_working_day(day)


def add_working_days(start, n, calendar=None, provisional=False):
    """The n-th working day counting ``start`` itself when it is one (n >= 1).

    ``add_working_days(d, 5)`` is the last day of a 5-working-day publicity starting on d (第十七条).
    Raises ``ScheduleNotLoaded`` when the count reaches into a year without its official schedule,
    unless ``provisional`` (or a ``Calendar(provisional=True)``) asks for an estimate.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    if calendar is None:
        calendar = Calendar(provisional=provisional)
    elif provisional and not calendar.provisional:
        raise ValueError("pass a Calendar(provisional=True) for a provisional count")
    day, counted = start, 0
    for _step in range(MAX_SPAN_DAYS):
        if calendar.is_working_day(day):
            counted += 1
            if counted == n:
                return day
        day += datetime.timedelta(days=1)
    raise ValueError("span too long")


def provisional_end(start, n):
    """``(add_working_days(start, n, provisional=True), is_provisional)``.

    ``is_provisional`` is true when the count crossed a year without its official schedule: the date
    is then an estimate (make-up working days and days in lieu unknown) and must never be printed as the
    end of a publicity on a notice.
    """
    calendar = Calendar(provisional=True)
    end = add_working_days(start, n, calendar)
    return end, bool(calendar.provisional_years)


def working_days_between(first, last, calendar=None):
    """Working days from ``first`` to ``last``, both included (0 if last < first)."""
    calendar = calendar or Calendar()
    days = (last - first).days + 1
    if days > MAX_SPAN_DAYS:
        raise ValueError("span too long")
    if days > 0:
        calendar.require(list(range(first.year, last.year + 1)))  # name every missing year at once
    return sum(calendar.is_working_day(first + datetime.timedelta(days=i)) for i in range(max(days, 0)))


def next_working_day(day, calendar=None):
    """``day`` if it is a working day, else the first working day after it."""
    return add_working_days(day, 1, calendar)


def missing_years(years):
    """Those of ``years`` with no official schedule loaded: counts reaching into them are refused."""
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
