"""Excel in and out (openpyxl). Every sheet from a browser is untrusted: bad files get a clear message."""

import io
import zipfile

from django import forms
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from applications.export_safety import keep_as_text

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 2000


def read_code_rows(uploaded):
    """[(line, credit code, name)] from the first sheet; a header row is recognised and skipped."""
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
        if len(rows) > MAX_ROWS:
            raise forms.ValidationError(_("At most %(n)d rows per sheet.") % {"n": MAX_ROWS})
    workbook.close()
    if not rows:
        raise forms.ValidationError(_("The sheet has no rows."))
    return rows


def xlsx_response(filename, headers, rows, *, title):
    """An .xlsx download: a bold header row, the rows, sensible column widths."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append([str(h) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E0F2EE")
    for row in rows:
        sheet.append(["" if v is None else v if isinstance(v, int | float) else str(v) for v in row])
        for cell in sheet[sheet.max_row]:
            keep_as_text(cell)  # data, not code (export_safety)
    for index, header in enumerate(headers, start=1):
        width = max([len(str(header))] + [len(str(r[index - 1] or "")) for r in rows[:200]]) + 4
        sheet.column_dimensions[get_column_letter(index)].width = min(width * 1.6, 60)
    sheet.freeze_panes = "A2"
    response = HttpResponse(content_type=XLSX_MIME)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.xlsx"'
    workbook.save(response)
    return response
