"""Exports are data, not code (issue 12; OWASP "CSV injection"): a text that starts with =, +, -, @, a tab or
a carriage return is read by spreadsheet programs as a formula (=HYPERLINK(...) in an organisation's name
becomes a live link). Every export meets one rule, here.

- CSV has no types: such a text gets a leading single quote, which spreadsheets show and never evaluate.
- .xlsx has types: such a text is stored as an explicit string cell (``data_type`` "s") with Excel's own
  quote prefix, so the reader sees the value exactly as written, and it stays text even when edited.

Numbers (int, float, Decimal) are data already and pass unchanged: -3.5 stays a number.
"""

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value):
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def neutralise(value):
    """The value for a CSV field."""
    return "'" + value if formula_like(value) else value


def keep_as_text(cell):
    """Make an openpyxl cell whose text looks like a formula a plain string cell (its visible value intact)."""
    if formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell
