"""Excel in and out (openpyxl). Every sheet from a browser is untrusted: bad files get a clear message."""

import io
import itertools
import math
import re
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

from applications.export_safety import FORMULA_TRIGGERS, keep_as_text

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
# Characters XML 1.0 does not allow (openpyxl refuses them too).
ILLEGAL_XML = re.compile(r"[\000-\010\013\014\016-\037]")


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


# The one worksheet openpyxl writes in a one-sheet workbook.
SHEET_MEMBER = "xl/worksheets/sheet1.xml"
# The probe row's marker: the skeleton's second row, replaced by the data rows.
PROBE_ROW = re.compile(rb'<row r="2">.*?</row>')
QUOTE_STYLE = re.compile(rb's="(\d+)"')


def _skeleton(headers, sample, title):
    """A one-sheet workbook from openpyxl in write-only mode holding everything but the data: the bold header,
    widths guessed from the sample rows, the frozen header, and a probe row whose one cell carries Excel's quote
    prefix, so the data rows can name that style. Returns (the .xlsx bytes, the quote-prefix style's index)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(title)[:31])
    for index, header in enumerate(headers, start=1):
        width = max([len(str(header))] + [len(str(plain(r[index - 1]))) for r in sample]) + 4
        sheet.column_dimensions[get_column_letter(index)].width = min(width * 1.6, 60)
    sheet.freeze_panes = "A2"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="E0F2EE")
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=str(header))
        cell.font, cell.fill = bold, fill
        header_cells.append(keep_as_text(cell))
    sheet.append(header_cells)
    sheet.append([keep_as_text(WriteOnlyCell(sheet, value="=probe"))])
    out = io.BytesIO()
    workbook.save(out)
    with zipfile.ZipFile(out) as archive:
        probe = PROBE_ROW.search(archive.read(SHEET_MEMBER))
    return out, QUOTE_STYLE.search(probe.group(0)).group(1).decode()


def _row_xml(number, row, letters, quote_style):
    """One data row as SpreadsheetML, the way openpyxl's write-only mode writes it (inline strings), at a tenth of
    its cost. Text is always a string cell, never a formula; a formula-like text also gets the quote prefix
    (export_safety). Characters XML forbids are dropped, empty values leave no cell."""
    cells = []
    for letter, value in zip(letters, row, strict=False):
        if type(value) is not str:
            value = plain(value)  # a number (a Decimal as a float) or text
            if type(value) is not str:
                if math.isfinite(value):
                    cells.append(f'<c r="{letter}{number}" t="n"><v>{value!r}</v></c>')
                    continue
                value = str(value)  # nan, inf: no number in a sheet
        if not value:
            continue
        if ILLEGAL_XML.search(value):
            value = ILLEGAL_XML.sub("", value)
        style = f' s="{quote_style}"' if value[0] in FORMULA_FIRST else ""
        space = ' xml:space="preserve"' if value[0].isspace() or value[-1].isspace() else ""
        text = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if "\r" in text:  # a bare carriage return would be read back as a line feed
            text = text.replace("\r", "&#13;")
        cells.append(f'<c r="{letter}{number}"{style} t="inlineStr"><is><t{space}>{text}</t></is></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'


def write_xlsx(target, headers, rows, *, title, progress=None, every=CHUNK_ROWS):
    """Write an .xlsx to ``target`` (a path or a binary file) as rows come: memory does not grow with them. A bold
    header row, widths from the first rows, the header frozen. ``progress(n)`` is called every ``every`` rows and
    at the end. Returns the number of rows written.

    openpyxl (write-only mode) writes the workbook around the data; the data rows are written here, straight into
    the compressed sheet. Issue 13: openpyxl spent about 10 µs per cell, 9 s of a 100,000-row export on the
    benchmark machine, and XlsxWriter as much; this writer spends a tenth of that. The file reads back the same
    in openpyxl, Excel and LibreOffice (tests/test_exports_streaming.py)."""
    rows = iter(rows)
    sample = list(itertools.islice(rows, WIDTH_SAMPLE))
    skeleton, quote_style = _skeleton(headers, sample, title)
    letters = [get_column_letter(index) for index in range(1, len(headers) + 1)]
    count = 0
    with zipfile.ZipFile(skeleton) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            if info.filename != SHEET_MEMBER:
                out.writestr(info.filename, source.read(info.filename))
                continue
            sheet = source.read(SHEET_MEMBER)
            probe = PROBE_ROW.search(sheet)
            with out.open(SHEET_MEMBER, "w", force_zip64=True) as stream:
                stream.write(sheet[: probe.start()])
                batch = []
                for row in itertools.chain(sample, rows):
                    count += 1
                    batch.append(_row_xml(count + 1, row, letters, quote_style))
                    if count % every == 0:
                        stream.write("".join(batch).encode())
                        batch = []
                        if progress is not None:
                            progress(count)
                stream.write("".join(batch).encode())
                stream.write(sheet[probe.end() :])
    if progress is not None:
        progress(count)
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
