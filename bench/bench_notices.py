"""Time the 名单公告 PDF (registry.notices.list_announcement) with 20 and 300 rows.

    .venv/bin/python bench/bench_notices.py [--repeat N]

Uses its own SQLite database (DATABASE_URL, default sqlite:////tmp/bench.sqlite3, recreated on each run),
migrated quietly first. Prints the seconds of each render and the size of the PDF.
"""

import argparse
import datetime
import os
import sys
import time
import zoneinfo
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
DEFAULT_DB = Path("/tmp/bench.sqlite3")
SIZES = (20, 300)
KINDS = ("factory", "park", "supply_chain")
DISTRICTS = ("futian", "luohu", "nanshan", "baoan", "longgang", "longhua", "guangming")


def setup_django():
    sys.path.insert(0, str(PROJECT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "greenfactory.settings")
    if "DATABASE_URL" not in os.environ:
        DEFAULT_DB.unlink(missing_ok=True)  # our own scratch file: start from an empty database
        os.environ["DATABASE_URL"] = f"sqlite:///{DEFAULT_DB}"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def make_list(rows, serial_start, municipal):
    """A published list of ``rows`` ranked dossiers, with realistic names, districts and kinds."""
    from applications.credit_code import example_code
    from applications.models import District, Dossier, Organisation
    from registry.models import PublishedList
    from reviews.models import PublicityBatch

    districts = {d.code: d for d in District.objects.all()}
    codes = [code for code in DISTRICTS if code in districts] or list(districts)
    year = 2026
    publicity = PublicityBatch.objects.create(
        year=year,
        title=f"{year}年深圳市绿色工厂拟入选名单（{rows}家）",
        starts_on=datetime.date(year, 9, 28),
        ends_on=datetime.date(year, 10, 9),
        contact="深圳市工业和信息化局节能处，电话：0755-88888888",
        created_by=municipal,
    )
    published = PublishedList.objects.create(
        year=year,
        title=f"{year}年深圳市层面绿色工厂名单",
        publicity_batch=publicity,
        published_by=municipal,
        published_at=datetime.datetime(year, 10, 13, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")),
    )
    organisations = Organisation.objects.bulk_create(
        Organisation(
            credit_code=example_code(serial_start + n),
            name=f"深圳市{'华宏泰盛鑫源恒达'[n % 8]}{n + 1}号精密智能制造科技有限公司",
            district=districts[codes[n % len(codes)]],
        )
        for n in range(rows)
    )
    Dossier.objects.bulk_create(
        Dossier(organisation=org, kind=KINDS[n % 3], cycle_year=year, rank=n + 1, published_list=published)
        for n, org in enumerate(organisations)
    )
    return published


def timed(published):
    from registry.notices import list_announcement

    started = time.perf_counter()
    pdf = list_announcement(published)
    return time.perf_counter() - started, pdf


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="renders per size (default 3)")
    parser.add_argument("--keep", type=Path, help="folder to write the PDFs to, for a look")
    args = parser.parse_args()

    setup_django()
    from io import BytesIO

    from pypdf import PdfReader

    from accounts.models import Role, User

    municipal = User.objects.create(username="bench-city", role=Role.MUNICIPAL)
    lists = {rows: make_list(rows, 100_000 * (i + 1), municipal) for i, rows in enumerate(SIZES)}

    print(f"{'rows':>5} {'run':>4} {'seconds':>8} {'pages':>6} {'KiB':>8}")
    for rows, published in lists.items():
        for run in range(1, args.repeat + 1):
            seconds, pdf = timed(published)
            pages = len(PdfReader(BytesIO(pdf)).pages)
            print(f"{rows:>5} {run:>4} {seconds:>8.2f} {pages:>6} {len(pdf) / 1024:>8.1f}")
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                (args.keep / f"list-{rows}.pdf").write_bytes(pdf)
    print("(run 1 of the first size includes loading fonts and WeasyPrint's start-up)")


if __name__ == "__main__":
    main()
