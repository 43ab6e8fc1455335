"""Open data of the published lists (第十七条, 第十八条): CSV, JSON and the JSON's schema.

Only public facts of a listing leave here: unit name, district, kind, level, year, rank, date listed and the
list's title. Never the credit code, contact data or anything a reviewer wrote. docs/open-data.md describes
the formats.
"""

import csv

from applications.export_safety import neutralise
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


class _Echo:
    def write(self, value):
        return value


def csv_lines(dossiers):
    """The CSV, line by line: a BOM first (Excel then reads UTF-8), the header, one line per unit."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(FIELDS)
    for item in items(dossiers):
        yield writer.writerow(["" if item[f] is None else neutralise(item[f]) for f in FIELDS])


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
