"""The dashboard's figures and charts (issue 15).

``figures(user, year)`` reads every figure of the dashboard in a fixed handful of grouped counts, scoped through
``accounts.scoping`` (the city sees every district, a district officer its own). ``bar_chart`` draws one of them as
an accessible SVG on the server: no JavaScript, no CDN. Every chart has ``role="img"``, an ``aria-label``, a
``<title>`` and a ``<desc>`` that says what it shows in words; its series differ by colour *and* by pattern (solid,
stripes, dots, cross-hatching, lines) and every bar carries its number, so nothing depends on colour alone. The
dashboard shows each chart beside its table and exports the same figures to Excel (``workbook``), one sheet per
chart.
"""

import io
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import scoping
from applications.models import AnnualReport, District, Kind, Level, State

# ---------------------------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------------------------

# The pipeline in the order a dossier moves along it.
PIPELINE = [
    State.POOLED,
    State.SUBMITTED,
    State.RETURNED,
    State.RECOMMENDED,
    State.IN_LIBRARY,
    State.IN_REVIEW,
    State.IN_PUBLICITY,
    State.NOMINATED,
    State.LISTED,
    State.RECHECKING,
    State.REMOVED,
    State.WITHDRAWN,
    State.NOT_PASSED,
    State.LAPSED,
]

# The main stages, for the chart by district (14 states side by side would be unreadable).
STAGES = [
    (gettext_lazy("Pool and evaluation"), (State.POOLED, State.SUBMITTED, State.RETURNED)),
    (gettext_lazy("Recommended by district"), (State.RECOMMENDED,)),
    (gettext_lazy("Municipal review"), (State.IN_LIBRARY, State.IN_REVIEW, State.IN_PUBLICITY, State.NOMINATED)),
    (gettext_lazy("On a list"), (State.LISTED, State.RECHECKING)),
    (gettext_lazy("Ended"), (State.REMOVED, State.WITHDRAWN, State.NOT_PASSED, State.LAPSED)),
]

FOLLOW_UP = [
    gettext_lazy("Overdue annual forms"),
    gettext_lazy("Rechecks due this year"),
    gettext_lazy("Rechecks open"),
]


@dataclass
class Figures:
    year: int
    years: list
    districts: list
    # (district id, kind, level) -> units on a list now
    listed: dict = field(default_factory=dict)
    # (year, kind, level) -> units on a list now
    listed_by_year: dict = field(default_factory=dict)
    # (district id, state) -> dossiers of ``year``
    pipeline: dict = field(default_factory=dict)
    # district id -> [overdue annual forms, rechecks due this year, rechecks open]
    follow_up: dict = field(default_factory=dict)
    open_reports: int = 0
    # When these were counted (they may be up to DASHBOARD_CACHE_SECONDS old; the page says so).
    counted_at: object = None

    # The tables, as plain rows (the page, the charts and the workbook read the same ones).
    def by_state(self):
        return [(State(s).label, sum(self.pipeline.get((d.pk, s), 0) for d in self.districts)) for s in PIPELINE]

    def by_district(self):
        return [
            (d.name, [sum(self.pipeline.get((d.pk, s), 0) for s in states) for _label, states in STAGES])
            for d in self.districts
        ]

    def listing_years(self):
        """[(year, kind label, [district, municipal, national])], newest year first, kinds with units only."""
        years = sorted({y for y, _k, _lv in self.listed_by_year}, reverse=True)
        rows = []
        for y in years:
            for k in Kind.values:
                values = [self.listed_by_year.get((y, k, lv), 0) for lv in Level.values]
                if any(values):
                    rows.append((y, Kind(k).label, values))
        return rows

    def follow_up_rows(self):
        return [(d.name, self.follow_up.get(d.pk, [0, 0, 0])) for d in self.districts]


def figures(user, year=None):
    """Every figure of the dashboard for ``user``: counted (``count_figures``), or from the cache when the same scope
    (the city, or one district) and year were counted less than ``DASHBOARD_CACHE_SECONDS`` ago. Issue 13: the
    grouped counts over 100,000 dossiers were two thirds of the page; every city officer shares one count."""
    today = timezone.localdate()
    year = year or today.year
    seconds = settings.DASHBOARD_CACHE_SECONDS
    if not seconds:
        return count_figures(user, year)
    scope = "city" if scoping.is_city(user) else f"district-{user.district_id}"
    key = f"dashboard-figures:{scope}:{year}:{today.isoformat()}"
    found = cache.get(key)
    if found is None:
        found = count_figures(user, year)
        cache.set(key, found, seconds)
    return found


def count_figures(user, year):
    """Every figure of the dashboard for ``user``, in six queries whatever the number of dossiers."""
    from registry.listing import listed_dossiers

    today = timezone.localdate()
    city = scoping.is_city(user)
    dossiers = scoping.dossiers_for(user).order_by()
    districts = list(District.objects.all() if city else District.objects.filter(pk=user.district_id))
    result = Figures(year=year, years=[], districts=districts, counted_at=timezone.now())

    # 1. Units on a list now by district × year × kind × level (the old table and the chart over the years).
    listed = listed_dossiers(dossiers=dossiers, district_id=None if city else user.district_id).order_by()
    for district_id, cycle_year, kind, level, n in listed.values_list(
        "district_id", "cycle_year", "kind", "level"
    ).annotate(n=Count("pk")):
        key = (district_id, kind, level)
        result.listed[key] = result.listed.get(key, 0) + n
        key = (cycle_year, kind, level)
        result.listed_by_year[key] = result.listed_by_year.get(key, 0) + n

    # 2. Dossiers by district × state × year (the pipeline of the chosen year; the years to choose from).
    years = set()
    for district_id, state, cycle_year, n in dossiers.values_list("district_id", "state", "cycle_year").annotate(
        n=Count("pk")
    ):
        years.add(cycle_year)
        if cycle_year == year:
            result.pipeline[(district_id, state)] = result.pipeline.get((district_id, state), 0) + n
    result.years = sorted(years | {today.year, year}, reverse=True)

    # 3. Overdue annual forms by district (第二十一条第（二）项).
    overdue = (
        scoping.annual_reports_for(user)
        .order_by()
        .filter(overdue_at__isnull=False, status=AnnualReport.Status.DUE)
        .values_list("dossier__district_id")
        .annotate(n=Count("pk"))
    )
    for district_id, n in overdue:
        result.follow_up.setdefault(district_id, [0, 0, 0])[0] += n

    # 4. Rechecks due this year and open, by district (第二十一条, 三年一复核).
    rechecks = (
        dossiers.filter(
            Q(state=State.LISTED, next_recheck_due__lte=today.replace(month=12, day=31)) | Q(state=State.RECHECKING)
        )
        .values_list("district_id", "state")
        .annotate(n=Count("pk"))
    )
    for district_id, state, n in rechecks:
        result.follow_up.setdefault(district_id, [0, 0, 0])[1 if state == State.LISTED else 2] += n

    # 5. Open real-name reports (第二十五条).
    from registry.models import Report

    reports = scoping.reports_for(user) if city else scoping.district_reports_for(user)
    result.open_reports = reports.exclude(status=Report.Status.DECIDED).count()
    return result


# ---------------------------------------------------------------------------------------------------------------
# SVG
# ---------------------------------------------------------------------------------------------------------------

WIDTH = 420  # viewBox units; the chart scales with its box (CSS), so text stays in proportion on a phone.
FONT = 15
PAD = 8
LEGEND_FONT = 14  # as in portal.css (.gf-chart-legend, .gf-chart-number)
NUMBER_FONT = 13

# Series: a colour with at least 4.5:1 contrast on white, and a pattern, so that series differ without colour too.
SERIES_STYLES = [
    ("#0b6e4f", "solid"),
    ("#1d4f91", "stripes"),
    ("#9a4a0c", "dots"),
    ("#6a3d9a", "cross"),
    ("#4a5550", "lines"),
]


def text_width(text, size=FONT):
    """The width of ``text`` in viewBox units: a CJK character is one em, anything else about 0.6 em."""
    return sum(size if ord(c) > 0x2E80 else size * 0.6 for c in str(text))


def _pattern(pid, colour, kind):
    inner = f'<rect width="6" height="6" fill="{colour}"/>'
    if kind == "stripes":
        inner += '<line x1="0" y1="0" x2="0" y2="6" stroke="#fff" stroke-width="2"/>'
        return (
            f'<pattern id="{pid}" width="6" height="6" patternUnits="userSpaceOnUse" '
            f'patternTransform="rotate(45)">{inner}</pattern>'
        )
    if kind == "dots":
        inner += '<circle cx="3" cy="3" r="1.3" fill="#fff"/>'
    elif kind == "cross":
        inner += '<path d="M0 0L6 6M6 0L0 6" stroke="#fff" stroke-width="1"/>'
    elif kind == "lines":
        inner += '<line x1="0" y1="3" x2="6" y2="3" stroke="#fff" stroke-width="1.5"/>'
    return f'<pattern id="{pid}" width="6" height="6" patternUnits="userSpaceOnUse">{inner}</pattern>'


def _fill(chart_id, index):
    colour, kind = SERIES_STYLES[index % len(SERIES_STYLES)]
    return colour, (colour if kind == "solid" else f"url(#{chart_id}-p{index})")


def bar_chart(chart_id, title, desc, categories, series, values, *, stacked=False):
    """Horizontal bars, one band per category: one bar (a single series), one bar per series side by side
    (grouped), or the series one after another in one bar (``stacked``, with the total at its end).

    ``values[i][j]`` is category i's figure for series j. Returns safe SVG markup.
    """
    chart_id = escape(chart_id)
    many = len(series) > 1
    parts = []
    # Legend: a swatch with the series' pattern and its name, wrapped within the width.
    y = PAD
    if many:
        x, row_h = PAD, FONT + 8
        for j, label in enumerate(series):
            item = 14 + 5 + text_width(label, LEGEND_FONT) + 14
            if x + item > WIDTH - PAD and x > PAD:
                x, y = PAD, y + row_h
            colour, fill = _fill(chart_id, j)
            parts.append(
                f'<rect x="{x}" y="{y}" width="14" height="14" fill="{fill}" stroke="{colour}"/>'
                f'<text class="gf-chart-legend" x="{x + 19}" y="{y + 11}">{escape(label)}</text>'
            )
            x += item
        y += row_h + 6
    totals = [sum(row) for row in values]
    biggest = max((totals if stacked or not many else [max(row, default=0) for row in values]), default=0)
    label_w = min(max((text_width(c) for c in categories), default=0) + 10, 160)
    value_w = text_width(str(biggest)) + 14
    x0 = PAD + label_w
    plot_w = WIDTH - x0 - value_w - PAD
    scale = plot_w / biggest if biggest else 0
    bar_h = 20 if (stacked or not many) else 15
    band = bar_h + 10 if (stacked or not many) else len(series) * (bar_h + 3) + 10
    top = y
    for i, (category, row) in enumerate(zip(categories, values, strict=True)):
        y0 = top + i * band
        mid = y0 + (band - 10) / 2 + 5
        parts.append(
            f'<text class="gf-chart-label" x="{x0 - 6}" y="{mid + 5.2:.1f}" text-anchor="end">{escape(category)}</text>'
        )
        if stacked:
            x = x0
            for j, value in enumerate(row):
                w = value * scale
                if not w:
                    continue
                colour, fill = _fill(chart_id, j)
                parts.append(
                    f'<rect x="{x:.1f}" y="{y0 + 5}" width="{w:.1f}" height="{bar_h}" fill="{fill}" stroke="{colour}">'
                    f"<title>{escape(category)} · {escape(series[j])}: {value}</title></rect>"
                )
                number = str(value)
                if (
                    w >= text_width(number, NUMBER_FONT) + 14
                ):  # the segment's number on a white pill, legible over any pattern
                    nw = text_width(number, NUMBER_FONT) + 6
                    parts.append(
                        f'<rect class="gf-chart-pill" x="{x + (w - nw) / 2:.1f}" y="{y0 + 7}" width="{nw:.1f}" '
                        f'height="{bar_h - 4}" rx="3"/>'
                        f'<text class="gf-chart-number" x="{x + w / 2:.1f}" y="{mid + 4.5:.1f}" '
                        f'text-anchor="middle">{number}</text>'
                    )
                x += w
            parts.append(f'<text class="gf-chart-total" x="{x + 4:.1f}" y="{mid + 5.2:.1f}">{totals[i]}</text>')
        else:
            for j, value in enumerate(row):
                by = y0 + 5 + j * (bar_h + 3)
                w = value * scale
                colour, fill = _fill(chart_id, j)
                if w:
                    parts.append(
                        f'<rect x="{x0}" y="{by}" width="{w:.1f}" height="{bar_h}" fill="{fill}" stroke="{colour}"/>'
                    )
                size = "gf-chart-value" if many else "gf-chart-total"
                ty = by + bar_h / 2 + (4.5 if many else 5.2)
                parts.append(f'<text class="{size}" x="{x0 + w + 4:.1f}" y="{ty:.1f}">{value}</text>')
    height = top + len(categories) * band + PAD
    parts.append(f'<line class="gf-chart-axis" x1="{x0}" y1="{top}" x2="{x0}" y2="{height - PAD}"/>')
    defs = "".join(
        _pattern(f"{chart_id}-p{j}", *SERIES_STYLES[j % len(SERIES_STYLES)])
        for j in range(len(series))
        if SERIES_STYLES[j % len(SERIES_STYLES)][1] != "solid"
    )
    svg = (
        f'<svg class="gf-chart" id="{chart_id}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'role="img" aria-label="{escape(title)}" aria-describedby="{chart_id}-desc" font-size="{FONT}">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(desc)}</desc>'
        f"<defs>{defs}</defs>{''.join(parts)}</svg>"
    )
    return mark_safe(svg)  # every text above is escaped


def drawn(chart_id, title, categories, series, values, *, stacked=False):
    """``bar_chart`` with its ``<desc>`` written from the figures."""
    return bar_chart(chart_id, title, describe(categories, values), categories, series, values, stacked=stacked)


def describe(categories, values):
    """The chart in words (its ``<desc>``): the total and the largest categories."""
    totals = [sum(row) for row in values]
    total = sum(totals)
    if not total:
        return _("No units to show: every figure is 0.")
    ranked = sorted(((t, c) for c, t in zip(categories, totals, strict=True) if t), key=lambda pair: -pair[0])[:3]
    top = "、".join(f"{c} {t}" for t, c in ranked)
    return _("%(total)d in all; largest: %(top)s.") % {"total": total, "top": top}


# ---------------------------------------------------------------------------------------------------------------
# The charts of the dashboard, each with its table (headers, rows) and its sheet name.
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class Chart:
    key: str
    title: str
    headers: list
    rows: list
    svgs: list  # [(subtitle or "", svg)]
    note: str = ""
    total_row: list | None = None


def charts(f):
    """The four charts of ``Figures`` ``f`` with their tables."""
    out = []

    by_state = f.by_state()
    title = _("Dossiers by state, %(year)d") % {"year": f.year}
    categories, values = [str(label) for label, _n in by_state], [[n] for _label, n in by_state]
    out.append(
        Chart(
            "pipeline",
            title,
            [_("State"), _("Number of dossiers")],
            [[label, n] for label, n in by_state],
            [("", drawn("chart-pipeline", title, categories, [""], values))],
            total_row=[_("Total"), sum(n for _label, n in by_state)],
        )
    )

    by_district = f.by_district()
    stages = [str(label) for label, _states in STAGES]
    title = _("Dossiers by district and stage, %(year)d") % {"year": f.year}
    categories, values = [name for name, _row in by_district], [row for _name, row in by_district]
    out.append(
        Chart(
            "districts",
            title,
            [_("District"), *stages, _("Total")],
            [[name, *row, sum(row)] for name, row in by_district],
            [
                (
                    "",
                    drawn("chart-districts", title, categories, stages, values, stacked=True),
                )
            ],
            total_row=[_("Total"), *[sum(col) for col in zip(*values, strict=True)], sum(map(sum, values))]
            if values
            else None,
        )
    )

    listing = f.listing_years()
    levels = [str(label) for label in Level.labels]
    svgs = []
    for kind in Kind:
        rows = [(y, v) for y, k, v in listing if k == kind.label]
        if not rows:
            continue
        title = _("Units on a list by year: %(kind)s") % {"kind": kind.label}
        categories, values = [str(y) for y, _v in rows], [v for _y, v in rows]
        svgs.append(
            (
                kind.label,
                drawn(f"chart-listings-{kind.value}", title, categories, levels, values),
            )
        )
    out.append(
        Chart(
            "listings",
            _("Units on a list by kind, level and year"),
            [_("Year"), _("Kind"), *levels, _("Total")],
            [[y, str(k), *v, sum(v)] for y, k, v in listing],
            svgs,
            note=_("By the year of the list; units removed since are not counted."),
        )
    )

    follow = f.follow_up_rows()
    shown = [(name, row) for name, row in follow if any(row)]
    series = [str(label) for label in FOLLOW_UP]
    title = _("Overdue annual forms and rechecks by district")
    categories, values = [name for name, _row in shown], [row for _name, row in shown]
    out.append(
        Chart(
            "follow_up",
            title,
            [_("District"), *series],
            [[name, *row] for name, row in follow],
            [
                (
                    "",
                    drawn("chart-follow-up", title, categories, series, values),
                )
            ]
            if shown
            else [],
            note=_("Districts where every figure is 0 are left out of the chart; the table lists them all.")
            if len(shown) < len(follow)
            else "",
            total_row=[_("Total"), *[sum(row[j] for _n, row in follow) for j in range(3)]] if len(follow) > 1 else None,
        )
    )
    return out


def workbook(sheets):
    """An .xlsx of ``[(sheet name, headers, rows)]``: one sheet per chart, a bold header row, the header frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    from applications.export_safety import formula_like, keep_as_text

    book = Workbook()
    book.remove(book.active)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="E0F2EE")
    for name, headers, rows in sheets:
        sheet = book.create_sheet(title=re.sub(r"[\[\]:*?/\\]", " ", str(name))[:31])  # Excel's forbidden characters
        sheet.append([str(h) for h in headers])
        for cell in sheet[1]:
            cell.font, cell.fill = bold, fill
        for row in rows:
            sheet.append([v if isinstance(v, int) else str(v) for v in row])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str) and formula_like(cell.value):
                    keep_as_text(cell)
        for index, header in enumerate(headers, start=1):
            width = max([len(str(header))] + [len(str(r[index - 1])) for r in rows]) + 4
            sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(width * 1.6, 40)
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
