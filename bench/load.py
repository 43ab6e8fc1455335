"""Throughput under load (issue 13): gunicorn (2 workers × 4 threads) on a seeded scratch database, driven by locust.

    .venv/bin/python bench/load.py                                   # reuses /tmp/gf_bench_scale.sqlite3
    .venv/bin/python bench/load.py --database-url postgres://postgres@127.0.0.1:5432/gf_bench --dossiers 100000
    .venv/bin/python bench/load.py --duration 60 --staff-users 8 --public-users 32

Two runs, one after the other: ``--staff-users`` signed-in clients (city staff and district officers, password
login) on a list/detail mix (bench/locustfile.py ``StaffUser``), then ``--public-users`` anonymous clients on the
public pages (``PublicUser``). Each prints requests per second, median, p95 and p99 per page and in all, and the
failures (a timeout after 60 s counts as one). If the database has no dossiers it is migrated and seeded with
``seed_scale --dossiers N`` first (the bench_scale.py run leaves its SQLite file seeded; use ``--keep-db`` there
for PostgreSQL). gunicorn and locust run on the same machine, so locust's own CPU is part of the picture.

Writes a Markdown report to stdout and to bench/results/load-<db>-<N>.md.
"""

import argparse
import csv
import datetime
import io
import json
import os
import platform
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from sqlite3 import sqlite_version

PROJECT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
RESULTS = PROJECT / "bench" / "results"
IDS_FILE = Path("/tmp/gf_load_ids.json")
STAFF_ACCOUNTS = [
    "scale_staff",
    "scale_municipal",
    "scale_district_baoan",
    "scale_district_longgang",
    "scale_district_nanshan",
    "scale_district_longhua",
    "scale_district_guangming",
    "scale_district_futian",
]


def setup(args):
    sys.path.insert(0, str(PROJECT))
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_bench"
    import django

    django.setup()
    from django.core.management import call_command

    from applications.models import Dossier

    call_command("migrate", verbosity=0, interactive=False)
    if not Dossier.objects.exists():
        out = io.StringIO()
        call_command("seed_scale", dossiers=args.dossiers, yes_scratch_database=True, stdout=out)
        print(out.getvalue(), file=sys.stderr)


def write_ids():
    """200 dossiers in each account's scope, for the detail pages."""
    from accounts import scoping
    from accounts.models import User
    from applications.management.commands.seed_scale import SCALE_PASSWORD
    from applications.models import Dossier

    dossiers = {}
    for username in STAFF_ACCOUNTS:
        user = User.objects.get(username=username)
        pks = list(scoping.dossiers_for(user).order_by("?").values_list("pk", flat=True)[:200])
        dossiers[username] = pks
    IDS_FILE.write_text(json.dumps({"password": SCALE_PASSWORD, "accounts": STAFF_ACCOUNTS, "dossiers": dossiers}))
    return Dossier.objects.count()


def start_gunicorn(args, log):
    env = dict(os.environ, PYTHONPATH=str(PROJECT), DJANGO_SETTINGS_MODULE="bench.settings_bench")
    command = [
        str(VENV_BIN / "gunicorn"),
        "greenfactory.wsgi:application",
        "--bind", f"127.0.0.1:{args.port}",
        "--workers", str(args.workers),
        "--threads", str(args.threads),
        "--timeout", "120",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=log, stderr=log, start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{args.port}/public/lists/", timeout=60) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(1)
    stop(process)
    raise SystemExit("gunicorn did not answer within 90 s; see its log")


def stop(process):
    """Stop the gunicorn this script started (its own process group, by its id)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def run_locust(args, user_class, users):
    prefix = f"/tmp/gf_load_{user_class}"
    command = [
        str(VENV_BIN / "locust"),
        "-f", str(PROJECT / "bench" / "locustfile.py"),
        "--headless", "--only-summary",
        "-u", str(users), "-r", str(users),
        "-t", f"{args.duration}s",
        "--host", f"http://127.0.0.1:{args.port}",
        "--csv", prefix,
        "--stop-timeout", "65",
        user_class,
    ]  # fmt: skip
    env = dict(os.environ, LOAD_IDS=str(IDS_FILE))
    subprocess.run(command, cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def table(rows):
    lines = [
        "| page | requests | failures | req/s | median | p95 | p99 | max |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "**all**"
        lines.append(
            f"| {name} | {int(row['Request Count']):,} | {int(row['Failure Count']):,} "
            f"| {float(row['Requests/s']):.1f} | {row['50%']} ms | {row['95%']} ms | {row['99%']} ms "
            f"| {float(row['Max Response Time']):,.0f} ms |"
        )
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="sqlite:////tmp/gf_bench_scale.sqlite3")
    parser.add_argument("--dossiers", type=int, default=100_000, help="seed this many if the database is empty")
    parser.add_argument("--duration", type=int, default=60, help="seconds per run")
    parser.add_argument("--staff-users", type=int, default=8)
    parser.add_argument("--public-users", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--output", help="report path (default bench/results/load-<db>-<N>.md)")
    args = parser.parse_args()

    setup(args)
    from django.db import connection

    vendor = connection.vendor
    count = write_ids()
    version = connection.cursor().connection.info.server_version if vendor == "postgresql" else sqlite_version
    connection.close()
    from bench.cpu_check import cpu_check_ms, describe

    cpu_before = cpu_check_ms()
    load_start = os.getloadavg()
    log_path = Path(f"/tmp/gf_load_gunicorn_{vendor}.log")
    with open(log_path, "w") as log:
        process = start_gunicorn(args, log)
        try:
            staff = run_locust(args, "StaffUser", args.staff_users)
            public = run_locust(args, "PublicUser", args.public_users)
        finally:
            stop(process)

    cpu_after = cpu_check_ms()

    def summary(rows):
        total = next(r for r in rows if r["Name"] == "Aggregated")
        return (
            f"{float(total['Requests/s']):.1f} req/s, p95 {total['95%']} ms, {int(total['Failure Count']):,} failures"
        )

    import django

    lines = [
        f"# Load: {count:,} dossiers on {vendor}",
        "",
        f"`bench/load.py --duration {args.duration}`: gunicorn {args.workers} workers × {args.threads} threads "
        "(bench/settings_bench.py: DEBUG off), locust on the same machine, "
        f"{datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}.",
        "",
        f"- machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, Django {django.get_version()}, "
        f"database {vendor} {version}; load average before {' '.join(f'{x:.2f}' for x in load_start)}, "
        f"after {' '.join(f'{x:.2f}' for x in os.getloadavg())} (shared machine)",
        f"- CPU check before the runs {describe(cpu_before)}; after {cpu_after:,.0f} ms",
        f"- **{args.staff_users} signed-in clients** (list/detail mix): {summary(staff)}",
        f"- **{args.public_users} anonymous clients** (public pages): {summary(public)}",
        "",
        f"## {args.staff_users} signed-in clients, {args.duration} s",
        "",
        *table(staff),
        "",
        f"## {args.public_users} anonymous clients, {args.duration} s",
        "",
        *table(public),
        "",
        "Targets (issue 13): ≥ 50 req/s with p95 ≤ 250 ms signed in; ≥ 200 req/s with p95 ≤ 250 ms anonymous.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    path = Path(args.output) if args.output else RESULTS / f"load-{vendor}-{count}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"written to {path}; gunicorn log {log_path}", file=sys.stderr)


if __name__ == "__main__":
    main()
