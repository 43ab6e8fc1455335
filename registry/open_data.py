"""Open data of the published lists (第十七条, 第十八条): CSV, JSON and the JSON's schema.

Only public facts of a listing leave here: unit name, district, kind, level, year, rank, date listed and the
list's title. Never the credit code, contact data or anything a reviewer wrote. docs/open-data.md describes
the formats.
"""

import csv
import io

from applications.export_safety import neutralise
from applications.models import Kind, Level
from registry.listing import PUBLIC_VALUES, row_from_values

# The order of the CSV's columns; the first eight are those published before issue 11, unchanged.
FIELDS = ["year", "rank", "name", "district", "kind", "kind_label", "level", "listed_on", "level_label", "list_title"]
JSON_PAGE_SIZE = 1000
DOWNLOAD_CHUNK = 500


def public_item(row):
    """The open-data item of a public row (``registry.listing.row_from_values``)."""
    return {field: row[field] for field in FIELDS}


def items(dossiers):
    """Every row of ``dossiers`` as public items: one ``values()`` query read in chunks (a server-side cursor on
    PostgreSQL), so a long list never sits in memory and no model instance is built."""
    for values in dossiers.values(*PUBLIC_VALUES).iterator(chunk_size=DOWNLOAD_CHUNK):
        yield public_item(row_from_values(values))


def csv_lines(dossiers):
    """The CSV, ``DOWNLOAD_CHUNK`` lines at a time: a BOM first (Excel then reads UTF-8), the header, one line
    per unit. Read with ``values_list().iterator()``; the labels are translated once, in the caller's language."""
    kind_labels = {value: str(label) for value, label in Kind.choices}
    level_labels = {value: str(label) for value, label in Level.choices}
    rows = dossiers.values_list(*PUBLIC_VALUES).iterator(chunk_size=DOWNLOAD_CHUNK)

    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(FIELDS)
        yield "\ufeff" + buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        for n, (year, rank, name, district, _district_id, kind, level, listed_on, title) in enumerate(rows, 1):
            item = (
                year,
                rank,
                name,
                district,
                kind,
                kind_labels.get(kind, kind),
                level,
                listed_on.isoformat() if listed_on else None,
                level_labels.get(level, level),
                title,
            )
            writer.writerow(["" if value is None else neutralise(value) for value in item])
            if n % DOWNLOAD_CHUNK == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        if buffer.tell():
            yield buffer.getvalue()

    return lines()


KINDS = ["factory", "park", "supply_chain"]
LEVELS = ["district", "municipal", "national"]


def schema(schema_url):
    """JSON Schema (2020-12) of /open-data/lists.json."""
    nullable = lambda kind, **more: {"type": [kind, "null"], **more}  # noqa: E731
    item = {
        "type": "object",
        "additionalProperties": False,
        "required": FIELDS,
        "properties": {
            "year": {"type": "integer", "description": "Cycle year of the listing (申报年度)."},
            "rank": nullable("integer", minimum=1, description="Rank on the published list; null if unranked."),
            "name": {"type": "string", "description": "Unit name as registered (单位名称)."},
            "district": {"type": "string", "description": "Shenzhen district of the unit (所在区)."},
            "kind": {"type": "string", "enum": KINDS, "description": "Kind of unit: code."},
            "kind_label": {"type": "string", "description": "Kind of unit in words (绿色工厂, 绿色工业园区, …)."},
            "level": {"type": "string", "enum": LEVELS, "description": "List level: code (第十八条: national counts)."},
            "level_label": {"type": "string", "description": "List level in words (区级, 市级, 国家级)."},
            "listed_on": nullable("string", format="date", description="Date listed (ISO 8601), if recorded."),
            "list_title": nullable("string", description="Title of the published list; null for national imports."),
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_url,
        "title": "Green manufacturing lists of Shenzhen — open data",
        "description": (
            "Units on a green manufacturing list now (removed units leave at once, 第二十二条). Paginated: "
            f"{JSON_PAGE_SIZE} items a page; follow `next` until it is null. Filters: year, district (id), kind, "
            "level, q (part of the unit name)."
        ),
        "type": "object",
        "required": ["schema", "generated_at", "count", "page", "pages", "next", "previous", "items"],
        "properties": {
            "schema": {"type": "string", "format": "uri", "description": "URL of this schema."},
            "generated_at": {"type": "string", "format": "date-time", "description": "When this was generated."},
            "count": {"type": "integer", "minimum": 0, "description": "Items matching the filters, all pages."},
            "page": {"type": "integer", "minimum": 1},
            "pages": {"type": "integer", "minimum": 1},
            "next": {"type": ["string", "null"], "format": "uri", "description": "URL of the next page."},
            "previous": {"type": ["string", "null"], "format": "uri"},
            "items": {"type": "array", "items": item},
        },
    }
