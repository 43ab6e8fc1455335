"""Excel in and out (openpyxl). Every sheet from a browser is untrusted: bad files get a clear message."""

import io
import itertools
import tempfile
import zipfile
from decimal import Decimal
from typing import NamedTuple

from django import forms
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from applications.export_safety import FORMULA_TRIGGERS, formula_like, keep_as_text

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def read_code_rows(uploaded):
    """[(line, credit code, name)] from the first sheet; a header row is recognised and skipped.

    At most ``IMPORT_MAX_ROWS`` rows (20,000 by default); a larger sheet is refused whole, asking to split it.
    """
    from django.conf import settings

    max_rows = settings.IMPORT_MAX_ROWS
    try:
        workbook = load_workbook(io.BytesIO(uploaded.read()), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise forms.ValidationError(_("This file is not an Excel workbook (.xlsx).")) from None
    sheet = workbook.worksheets[0]
    rows = []
    for line, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        code = "" if not row or row[0] is None else str(row[0]).strip()
        name = "" if len(row) < 2 or row[1] is None else str(row[1]).strip()
        if not code and not name:
            continue
        if line == 1 and ("代码" in code or "code" in code.lower()):
            continue
        rows.append((line, code, name))
        if len(rows) > max_rows:
            raise forms.ValidationError(
                _("The sheet has more than %(n)d rows: please split it into several files of at most %(n)d rows.")
                % {"n": max_rows}
            )
    workbook.close()
    if not rows:
        raise forms.ValidationError(_("The sheet has no rows."))
    return rows


# Rows are read from the database this many at a time (``values_list().iterator``): memory stays flat.
CHUNK_ROWS = 2000

FORMULA_FIRST = frozenset(FORMULA_TRIGGERS)
# Column widths are guessed from the first rows only; the rest are written as they come.
WIDTH_SAMPLE = 200


class Column(NamedTuple):
    """One column of an export: its header, the ``values_list`` field it reads, and how a value is shown
    (a dict of choices, a function, or None for the value as it is)."""

    header: str
    field: str
    show: object = None


def shown(value, show):
    if show is None:
        return value
    if isinstance(show, dict):
        return show.get(value, value)
    return show(value)


def _shower(show):
    """``shown`` for one column, prepared once: a choices dict gets its (lazy) labels translated once, not once
    per cell (100,000 rows × three choice columns spent seconds in ``gettext``)."""
    if show is None:
        return None
    if isinstance(show, dict):
        labels = {key: str(label) for key, label in show.items()}
        return lambda value: labels.get(value, value)
    return show


def value_rows(queryset, columns, *, chunk_size=CHUNK_ROWS):
    """The rows of ``queryset`` as plain values: one ``values_list`` query read by a server-side cursor
    (PostgreSQL) or in chunks, never model instances."""
    fields = [column.field for column in columns]
    showers = [_shower(column.show) for column in columns]
    if not any(showers):
        for values in queryset.values_list(*fields).iterator(chunk_size=chunk_size):
            yield list(values)
        return
    for values in queryset.values_list(*fields).iterator(chunk_size=chunk_size):
        yield [value if show is None else show(value) for value, show in zip(values, showers, strict=True)]


def plain(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):
        return float(value)
    return str(value)


def _cells(sheet, row):
    """One row for the write-only sheet: plain values, and a formula-like text as an explicit string cell (data,
    not code: export_safety). Strings, the common case, take the short path."""
    out = []
    for value in row:
        kind = type(value)
        if kind is str:
            if value and value[0] in FORMULA_FIRST:
                out.append(keep_as_text(WriteOnlyCell(sheet, value=value)))
            else:
                out.append(value)
        elif kind is int or kind is float:
            out.append(value)
        else:
            value = plain(value)
            out.append(keep_as_text(WriteOnlyCell(sheet, value=value)) if formula_like(value) else value)
    return out


def write_xlsx(target, headers, rows, *, title, progress=None, every=CHUNK_ROWS):
    """Write an .xlsx to ``target`` (a path or a binary file) in openpyxl's write-only mode: rows go to disk as
    they come, so memory does not grow with them. A bold header row, sensible widths, the header frozen.
    ``progress(n)`` is called every ``every`` rows and at the end. Returns the number of rows written."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(title)[:31])
    rows = iter(rows)
    sample = [[plain(v) for v in row] for row in itertools.islice(rows, WIDTH_SAMPLE)]
    for index, header in enumerate(headers, start=1):
        width = max([len(str(header))] + [len(str(r[index - 1])) for r in sample]) + 4
        sheet.column_dimensions[get_column_letter(index)].width = min(width * 1.6, 60)
    sheet.freeze_panes = "A2"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="E0F2EE")
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=str(header))
        cell.font, cell.fill = bold, fill
        header_cells.append(keep_as_text(cell))
    sheet.append(header_cells)
    count = 0
    for row in itertools.chain(sample, rows):
        sheet.append(_cells(sheet, row))
        count += 1
        if progress is not None and count % every == 0:
            progress(count)
    if progress is not None:
        progress(count)
    workbook.save(target)
    return count


def xlsx_filename(filename):
    return f"{filename}-{timezone.localtime().strftime('%Y%m%d-%H%M')}.xlsx"


def xlsx_response(filename, headers, rows, *, title):
    """An .xlsx download of ``rows`` (any iterable, e.g. ``value_rows``). The workbook is written to a temporary
    file as rows come and only the finished, compressed file is read back; above ``EXPORT_BACKGROUND_ROWS``
    rows the callers hand the export to a background job instead (``exports.services``)."""
    with tempfile.TemporaryFile() as spool:
        write_xlsx(spool, headers, rows, title=title)
        spool.seek(0)
        response = HttpResponse(spool.read(), content_type=XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="{xlsx_filename(filename)}"'
    return response
