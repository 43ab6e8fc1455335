"""Province scale (issue 13): every list page, export, sweep and import timed beside the Django admin.

    .venv/bin/python bench/bench_scale.py                       # 100,000 dossiers, SQLite under /tmp
    .venv/bin/python bench/bench_scale.py --dossiers 20000      # a quicker run
    .venv/bin/python bench/bench_scale.py --database-url postgres://postgres@127.0.0.1:5432/gf_bench

Builds a scratch database (the SQLite file is deleted first; the PostgreSQL database is dropped and
created), migrates it, seeds it with ``manage.py seed_scale``, then measures with Django's test client
(``force_login`` as the role that uses each page) and a query counter (``connection.execute_wrapper``): the
median server time of ``--repeat`` requests, the first (cold) one, the number of queries and the size of the
answer, beside the admin's dossier changelist (/admin/applications/dossier/, as a superuser) on the same data
and filter, as a ratio. Exports are read to the end (streamed ones too); an export answered by a background
job is built here and timed. Peak memory of exports (tracemalloc) is measured at several sizes. Sweeps,
imports and the 1,000-row notice PDF run inside a transaction that is rolled back. A page that answers
404/500 or raises is reported, not fatal.

Writes a Markdown report to stdout and to bench/results/scale-<db>-<N>.md.
"""

import argparse
import contextlib
import datetime
import io
import os
import platform
import re
import resource
import signal
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
RESULTS = PROJECT / "bench" / "results"
DEFAULT_SQLITE = "/tmp/gf_bench_scale.sqlite3"
CITY, DISTRICT, SMALL_DISTRICT, ANON, ADMIN = "city", "district", "district_small", "anonymous", "admin"
BIG_DISTRICT_CODE, SMALL_DISTRICT_CODE = "baoan", "futian"


class Timeout(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds, fired=None):
    """Raise ``Timeout`` after ``seconds``; ``fired`` (a list) records it even if a view's handler swallows it."""

    def fire(signum, frame):
        if fired is not None:
            fired.append(seconds)
        raise Timeout(f"over {seconds} s")

    previous = signal.signal(signal.SIGALRM, fire)
    signal.alarm(int(seconds))
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# ---- the scratch database ---------------------------------------------------------------------------------


def prepare_database(url, reuse):
    """Point Django at ``url``; unless reusing, start from an empty database. Returns a short name for it."""
    if url.startswith("postgres"):
        name = url.rsplit("/", 1)[1].split("?")[0]
        if not reuse:
            import psycopg

            admin_url = url.rsplit("/", 1)[0] + "/postgres"
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{name}"')
        vendor = "postgresql"
    else:
        path = url.split("sqlite:///", 1)[1]
        if not reuse:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(path + suffix).unlink(missing_ok=True)
        vendor = "sqlite"
    os.environ["DATABASE_URL"] = url
    return vendor


def drop_database(url):
    if url.startswith("postgres"):
        import psycopg

        name = url.rsplit("/", 1)[1].split("?")[0]
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django():
    sys.path.insert(0, str(PROJECT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_bench"
    import django

    django.setup()


def machine_facts(vendor):
    import django
    from django.db import connection

    from bench.cpu_check import cpu_check_ms
    from bench.cpu_check import describe as describe_cpu

    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            db = f"SQLite {cursor.fetchone()[0]}"
        else:
            cursor.execute("show server_version")
            db = f"PostgreSQL {cursor.fetchone()[0]}"
    mem = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    commit = ""
    with contextlib.suppress(Exception):
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT, capture_output=True, text=True, timeout=5
        ).stdout.strip()
    return {
        "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "CPUs": f"{os.cpu_count()} × {cpu}",
        "RAM": mem,
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "Django": django.get_version(),
        "database": db,
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "CPU check at start": describe_cpu(cpu_check_ms()),
        "commit (plus uncommitted work)": commit,
    }


# ---- measuring -------------------------------------------------------------------------------------------


class CountQueries:
    """Counts every statement the connection runs (``CaptureQueriesContext`` keeps only the last 9,000)."""

    def __init__(self):
        from django.db import connection

        self.connection = connection
        self.count = 0
        self._wrapper = None

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self._wrapper = self.connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        return self._wrapper.__exit__(*exc)


def rss_high_water():
    """The process's peak resident set size so far, in bytes (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def consume(response):
    """The whole body, reading a streamed answer to its end."""
    if getattr(response, "streaming", False):
        size = 0
        for chunk in response.streaming_content:
            size += len(chunk)
        return size
    return len(response.content)


class Bench:
    def __init__(self, args, vendor):
        from django.test import Client

        self.args = args
        self.vendor = vendor
        self.rows = []  # (section, label, role, url, result dict)
        self.admin_cache = {}
        self.clients = {}
        self.Client = Client

    def client(self, role):
        from accounts.models import User

        if role not in self.clients:
            client = self.Client(raise_request_exception=False)
            username = {
                CITY: "scale_staff",
                DISTRICT: f"scale_district_{BIG_DISTRICT_CODE}",
                SMALL_DISTRICT: f"scale_district_{SMALL_DISTRICT_CODE}",
                ADMIN: "scale_admin",
            }.get(role)
            if username:
                client.force_login(User.objects.get(username=username))
            self.clients[role] = client
        return self.clients[role]

    def request(self, role, url, repeat):
        """Median and first time of ``repeat`` GETs, queries and size of the last; exports' jobs built."""
        times, result = [], {}
        for _ in range(repeat):
            fired = []
            try:
                with time_limit(self.args.page_timeout, fired), CountQueries() as captured:
                    started = time.perf_counter()
                    response = self.client(role).get(url)
                    size = consume(response)
                    elapsed = time.perf_counter() - started
            except Exception as error:  # a crash is a result, not the end of the bench
                if fired:
                    return {"error": f"timeout: no answer within {self.args.page_timeout} s"}
                return {"error": f"{type(error).__name__}: {error}"[:200]}
            if fired:
                return {"error": f"timeout: no answer within {self.args.page_timeout} s"}
            times.append(elapsed)
            result = {"status": response.status_code, "queries": captured.count, "bytes": size}
            location = response.get("Location", "") if response.status_code in (301, 302) else ""
            job = re.match(r"^/exports/(\d+)/", location)
            if job:
                result.update(self.build_job(int(job.group(1))))
                break  # one background build is enough
            if response.status_code >= 400:
                break
        result["median"] = statistics.median(times[1:] or times)  # the first (cold) one apart
        result["first"] = times[0]
        result["times"] = times
        return result

    def build_job(self, pk):
        """Build an export the page queued (its Celery task is not run by the bench) and time it."""
        from exports import services
        from exports.models import ExportJob

        job = ExportJob.objects.get(pk=pk)
        try:
            with CountQueries() as captured:
                started = time.perf_counter()
                services.build(job)
                elapsed = time.perf_counter() - started
        except Exception as error:
            return {"job_error": f"{type(error).__name__}: {error}"[:200]}
        job.refresh_from_db()
        return {"job_seconds": elapsed, "job_queries": captured.count, "job_rows": job.rows_done}

    def admin(self, query):
        if query not in self.admin_cache:
            url = "/admin/applications/dossier/" + (f"?{query}" if query else "")
            self.admin_cache[query] = self.request(ADMIN, url, self.args.repeat)
        return self.admin_cache[query]

    def page(self, section, label, role, url, admin_query="", repeat=None):
        if self.args.only and not re.search(self.args.only, f"{label} {url}"):
            return
        if section == "pages" and admin_query is not None:
            result = self.beside_admin(role, url, admin_query, repeat or self.args.repeat)
        else:
            result = self.request(role, url, repeat or self.args.repeat)
            if admin_query is not None:
                result["admin"] = self.admin(admin_query)
        self.rows.append((section, label, role, url, result))
        self.progress(label, url, result)

    def beside_admin(self, role, url, admin_query, repeat):
        """An HTML list page and the admin's changelist with the same filter, requested in turn: this machine's
        speed drifts by up to 1.7× from one minute to the next, and a ratio of two medians taken minutes apart
        moved with it."""
        admin_url = "/admin/applications/dossier/" + (f"?{admin_query}" if admin_query else "")
        runs = {"page": [], "admin": []}
        for _ in range(repeat):
            for key, (who, where) in (("page", (role, url)), ("admin", (ADMIN, admin_url))):
                run = self.request(who, where, 1)
                if "error" in run:
                    return run if key == "page" else {**runs["page"][-1], "admin": run}
                runs[key].append(run)

        def merged(key):
            times = [run["median"] for run in runs[key]]
            return {**runs[key][-1], "median": statistics.median(times[1:] or times), "first": times[0]}

        return {**merged("page"), "admin": merged("admin")}

    def progress(self, label, url, result):
        if "error" in result:
            print(f"  {label:45} {url:55} ERROR {result['error']}", file=sys.stderr, flush=True)
            return
        job = f" job {result['job_seconds']:.2f}s" if "job_seconds" in result else ""
        print(
            f"  {label:45} {url:55} {result.get('status', '')} {result.get('median', 0) * 1000:8.0f} ms "
            f"{result.get('queries', '')} q{job}",
            file=sys.stderr,
            flush=True,
        )

    def timed(self, section, label, function, limit):
        """Run ``function`` inside a transaction that is rolled back; its on_commit work is run and timed too."""
        from django.db import transaction
        from django.test import TestCase

        if self.args.only and not re.search(self.args.only, label):
            return
        result = {}
        try:
            with time_limit(limit), CountQueries() as captured:
                started = time.perf_counter()
                with transaction.atomic():
                    with TestCase.captureOnCommitCallbacks(execute=True):
                        outcome = function()
                    result["median"] = result["first"] = time.perf_counter() - started
                    result["note"] = outcome if isinstance(outcome, str) else ""
                    transaction.set_rollback(True)
            result["queries"] = captured.count
            result["status"] = "ok"
        except Timeout as error:
            result = {"error": f"timeout: {error}"}
        except Exception as error:
            result = {"error": f"{type(error).__name__}: {error}"[:200]}
        self.rows.append((section, label, "—", "", result))
        self.progress(label, "", result)

    def memory(self, label, role, url):
        """Peak Python memory (tracemalloc) of one request read to its end, and of its background build."""
        if self.args.only and not re.search(self.args.only, f"{label} {url}"):
            return None
        rss_before = rss_high_water()
        tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            response = self.client(role).get(url)
            size = consume(response)
            peak = tracemalloc.get_traced_memory()[1]
            location = response.get("Location", "") if response.status_code in (301, 302) else ""
            job = re.match(r"^/exports/(\d+)/", location)
            if job:
                from exports import services
                from exports.models import ExportJob

                tracemalloc.reset_peak()
                services.build(ExportJob.objects.get(pk=int(job.group(1))))
                peak = max(peak, tracemalloc.get_traced_memory()[1])
                size = ExportJob.objects.get(pk=int(job.group(1))).file.size
            return {"status": response.status_code, "peak": peak, "bytes": size, "rss": rss_high_water() - rss_before}
        except Exception as error:
            return {"error": f"{type(error).__name__}: {error}"[:200]}
        finally:
            tracemalloc.stop()


# ---- what is measured ----------------------------------------------------------------------------------


def list_pages(bench, ctx):
    d, cur = ctx["district_pk"], ctx["year"]
    dq = f"organisation__district__id__exact={d}"
    p = bench.page
    # The workspace and the district's screens (a district officer of the largest district).
    p("pages", "workspace dossiers (city)", CITY, "/workspace/", "")
    p("pages", "workspace dossiers, page 50 (city)", CITY, "/workspace/?page=50", "p=50")
    p("pages", "workspace search 绿源 (city)", CITY, "/workspace/?q=%E7%BB%BF%E6%BA%90", "q=%E7%BB%BF%E6%BA%90")
    p("pages", "workspace dossiers (district)", DISTRICT, "/workspace/", dq)
    p("pages", "cultivation pool (district)", DISTRICT, "/district/pool/", f"{dq}&state__exact=pooled")
    p("pages", "review queue (district)", DISTRICT, "/district/queue/", f"{dq}&state__exact=submitted")
    p("pages", "recommendation batch (district)", DISTRICT, "/district/recommendation/", f"{dq}&state__exact=submitted")
    p("pages", "reports (district)", DISTRICT, "/district/reports/", dq)
    p("pages", "annual forms (district)", DISTRICT, "/annual/", f"{dq}&state__exact=listed")
    p("pages", "rechecks (district)", DISTRICT, "/rechecks/", f"{dq}&state__exact=rechecking")
    p("pages", "dashboard (district)", DISTRICT, "/dashboard/", dq)
    p("pages", "inbox (district)", DISTRICT, "/accounts/inbox/", dq)
    # The city's screens.
    p("pages", "conformity queue (city)", CITY, "/city/conformity/", "state__exact=recommended")
    p("pages", "review board (city)", CITY, "/city/review/", "state__exact=in_review")
    p("pages", "ranking (city)", CITY, f"/city/ranking/?year={cur}", f"state__exact=in_review&cycle_year={cur}")
    p("pages", "nominations (city)", CITY, f"/city/nominations/?year={cur}", "state__exact=nominated")
    p("pages", "publicity batches (city)", CITY, "/city/publicity/", "state__exact=in_publicity")
    p("pages", "rechecks (city)", CITY, "/rechecks/", "state__exact=rechecking")
    p("pages", "annual forms (city)", CITY, "/annual/", "state__exact=listed")
    p("pages", "annual changes (city)", CITY, "/city/changes/", "state__exact=listed")
    p("pages", "reports (city)", CITY, "/city/reports/", "state__exact=listed")
    p("pages", "national list (city)", CITY, "/city/national/", "level__exact=national")
    p("pages", "dashboard (city)", CITY, "/dashboard/", "")
    p("pages", "issued documents (city)", CITY, "/documents/", "")
    p("pages", "agencies (city)", CITY, "/agencies/", "")
    p("pages", "inbox (city)", CITY, "/accounts/inbox/", "")
    p("pages", "a dossier page (city)", CITY, f"/dossiers/{ctx['listed_pk']}/", f"q={ctx['listed_code']}")
    # The public.
    p("public", "home /", ANON, "/", "state__exact=listed")
    p("public", "public lists", ANON, "/public/lists/", "state__exact=listed")
    p("public", "public lists, page 20", ANON, "/public/lists/?page=20", "state__exact=listed&p=20")
    p("public", "public removals", ANON, "/public/removals/", "state__exact=removed")
    p("public", "public publicity", ANON, "/public/publicity/", "state__exact=in_publicity")
    p("public", "open data CSV", ANON, "/open-data/lists.csv", "state__exact=listed", repeat=2)
    p("public", "open data JSON", ANON, "/open-data/lists.json", "state__exact=listed", repeat=2)
    p("public", "notices feed (Atom)", ANON, "/open-data/notices.atom", "state__exact=listed")


def exports(bench, ctx):
    d, cur = ctx["district_pk"], ctx["year"]
    dq = f"organisation__district__id__exact={d}"
    p = bench.page
    p("exports", "xlsx all dossiers (city)", CITY, "/workspace/?format=xlsx", "", repeat=1)
    p("exports", "xlsx dossiers (district)", DISTRICT, "/workspace/?format=xlsx", dq, repeat=1)
    p("exports", "xlsx pool (district)", DISTRICT, "/district/pool/?format=xlsx", f"{dq}&state__exact=pooled", 1)
    p("exports", "xlsx queue (district)", DISTRICT, "/district/queue/?format=xlsx", f"{dq}&state__exact=submitted", 1)
    p("exports", "xlsx recommendation (district)", DISTRICT, "/district/recommendation/?format=xlsx", dq, repeat=1)
    p("exports", "xlsx conformity (city)", CITY, "/city/conformity/?format=xlsx", "state__exact=recommended", 1)
    p("exports", "xlsx ranking (city)", CITY, f"/city/ranking/?year={cur}&format=xlsx", "state__exact=in_review", 1)
    p("exports", "xlsx nominations (city)", CITY, f"/city/nominations/?year={cur}&format=xlsx", "", repeat=1)
    p("exports", "xlsx annual forms (city)", CITY, "/annual/?format=xlsx", "state__exact=listed", repeat=1)
    p("exports", "xlsx rechecks (city)", CITY, "/rechecks/?format=xlsx", "state__exact=rechecking", repeat=1)
    p("exports", "xlsx dashboard (city)", CITY, "/dashboard/?format=xlsx", "", repeat=1)


def memory(bench, ctx):
    """Peak memory of the same export at growing sizes: the small district, the large one, the whole city."""
    runs = [
        ("xlsx dossiers", SMALL_DISTRICT, "/workspace/?format=xlsx", ctx["small_rows"]),
        ("xlsx dossiers", DISTRICT, "/workspace/?format=xlsx", ctx["big_rows"]),
        ("xlsx dossiers", CITY, "/workspace/?format=xlsx", ctx["all_rows"]),
        ("xlsx annual forms", SMALL_DISTRICT, "/annual/?format=xlsx", None),
        ("xlsx annual forms", CITY, "/annual/?format=xlsx", None),
        ("open data CSV", ANON, "/open-data/lists.csv", ctx["listed_rows"]),
        ("open data JSON", ANON, "/open-data/lists.json", ctx["listed_rows"]),
    ]
    out = []
    for label, role, url, rows in runs:
        result = bench.memory(label, role, url)
        if result is not None:
            out.append((label, role, url, rows, result))
            print(f"  memory {label:30} {role:15} {result}", file=sys.stderr, flush=True)
    return out


def sweeps(bench, ctx):
    from greenfactory.sweeps import SWEEPS

    tz = datetime.timezone(datetime.timedelta(hours=8))
    today, cur = ctx["today"], ctx["year"]
    as_of = {
        "lapse_unrecommended": datetime.datetime(cur, 5, 31, 0, 5, tzinfo=tz),
        "recommendation_reminders": datetime.datetime(cur, 5, 16, 9, 0, tzinfo=tz),
        "clear_ended_publicity": datetime.datetime.combine(
            ctx["publicity_ends_on"] + datetime.timedelta(days=3), datetime.time(0, 30), tz
        ),
        "annual_form_reminders": datetime.datetime(today.year + 1, 3, 1, 9, 0, tzinfo=tz),
        "mark_overdue_annual_forms": datetime.datetime(today.year + 1, 3, 16, 0, 30, tzinfo=tz),
    }
    for name, sweep in SWEEPS.items():
        when = as_of.get(name, datetime.datetime.combine(today, datetime.time(1, 0), tz))

        def run(sweep=sweep, when=when):
            changes = sweep(when)
            return f"{len(changes):,} changes as of {when:%Y-%m-%d %H:%M}"

        bench.timed("sweeps", f"sweep {name}", run, bench.args.sweep_timeout)


def pdf(bench, ctx):
    from registry import notices
    from registry.models import PublishedList

    target = None
    for published in PublishedList.objects.order_by("pk").only("pk", "entries"):
        if len(published.entries) == 1000:
            target = published
            break

    def render():
        if target is None:
            raise LookupError("no published list of 1,000 entries")
        data = notices.list_announcement(PublishedList.objects.get(pk=target.pk))
        size = len(data if isinstance(data, bytes) else getattr(data, "content", b""))
        return f"{size / 1024:.0f} KiB"

    # The first render of a process also loads WeasyPrint's fonts and styles; a worker renders many. Both are shown.
    bench.timed("documents", "list notice PDF, 1,000 rows (first in the process)", render, bench.args.sweep_timeout)
    bench.timed("documents", "list notice PDF, 1,000 rows (again)", render, bench.args.sweep_timeout)


# Rows of each import the bench times (issue 13: 10,000 rows in at most 10 s).
IMPORT_ROWS = 10_000


def imports(bench, ctx):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    from accounts.models import User
    from applications import services
    from applications.credit_code import example_code
    from applications.models import District, Organisation, State
    from registry import national_list

    staff = User.objects.get(username="scale_staff")
    officer = User.objects.get(username=f"scale_district_{BIG_DISTRICT_CODE}")
    cur = ctx["year"]
    # The imports' mail waits in the outbox for its own worker task (Celery runs eagerly here): not timed.
    with contextlib.suppress(ImportError):
        from accounts import outbox

        outbox.kick = lambda: None

    # MIIT's national list: 10,000 rows (issue 13's target size); matched by code, by name, or not at all.
    known = list(
        Organisation.objects.filter(dossiers__state__in=[State.NOMINATED, State.LISTED])
        .values_list("name", "credit_code")
        .distinct()[:8000]
    )
    book = Workbook()
    sheet = book.active
    sheet.append(["序号", "地区", "名称", "统一社会信用代码"])
    for k in range(IMPORT_ROWS):
        if k < len(known):
            name, code = known[k]
            sheet.append([k + 1, "广东省深圳市", name, code if k % 4 else ""])
        else:
            sheet.append([k + 1, "广东省深圳市", f"深圳市未登记绿色企业{k}有限公司", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    content = buffer.getvalue()

    def national():
        uploaded = SimpleUploadedFile("national.xlsx", content)
        result = national_list.import_national_list(uploaded, year=cur, kind="factory", by=staff)
        return f"{result[1]:,} added, {len(result[2]):,} unmatched" if isinstance(result, tuple) else ""

    bench.timed("imports", f"national list import, {IMPORT_ROWS:,} rows", national, bench.args.sweep_timeout)

    # A district's pool import: 10,000 rows, half known units of the district for next cycle, half new.
    district = District.objects.get(code=BIG_DISTRICT_CODE)
    own = list(
        Organisation.objects.filter(district=district).exclude(dossiers__cycle_year=cur + 1)
        .values_list("credit_code", "name")[: IMPORT_ROWS // 2]
    )  # fmt: skip
    rows = [(k + 2, code, name) for k, (code, name) in enumerate(own)]
    rows += [
        (len(rows) + k + 2, example_code(9_000_000 + k), f"深圳市新入库企业{k}有限公司")
        for k in range(IMPORT_ROWS - len(rows))
    ]

    def pool():
        results = services.bulk_pool(rows, district=district, kind="factory", cycle_year=cur + 1, by=officer)
        results = list(results) if not isinstance(results, list) else results
        ok = sum(1 for r in results if getattr(r, "ok", False))
        return f"{ok:,} of {len(results):,} pooled"

    bench.timed("imports", f"pool import, {IMPORT_ROWS:,} rows", pool, bench.args.sweep_timeout)


# ---- the report ------------------------------------------------------------------------------------------


def ms(seconds):
    if seconds is None:
        return "—"
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def report(bench, facts, ctx, memory_rows, seed_seconds, seed_output):
    n = ctx["all_rows"]
    lines = [
        f"# Province scale: {n:,} dossiers on {bench.vendor}",
        "",
        f"Generated by `bench/bench_scale.py` (`--dossiers {n} --repeat {bench.args.repeat}`). Median of the "
        "requests after the first, with the first (cold) beside it; queries of the last request; the admin is "
        "`/admin/applications/dossier/` as a superuser with the same filter, requested in turn with each HTML list "
        "page (the machine's speed drifts); × admin = median ÷ admin median.",
        "",
        "| machine | |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in facts.items()],
        "",
        (f"Seeding: {seed_seconds:.1f} s for `seed_scale --dossiers {n}`; " if seed_seconds else "Seeding: reused; ")
        + ", ".join(f"{k} {v}" for k, v in ctx["counts"].items()),
        "",
    ]
    sections = {}
    for section, label, role, url, result in bench.rows:
        sections.setdefault(section, []).append((label, role, url, result))
    titles = {
        "pages": "HTML list pages (logged in)",
        "public": "Public pages and open data (anonymous)",
        "exports": "Exports (?format=xlsx)",
        "sweeps": "Sweeps (inside a transaction rolled back; on_commit work run)",
        "documents": "Documents",
        "imports": "Imports (inside a transaction rolled back)",
    }
    for section, rows in sections.items():
        lines += [f"## {titles.get(section, section)}", ""]
        if section in ("sweeps", "documents", "imports"):
            lines += ["| what | time | queries | result |", "|---|---:|---:|---|"]
            for label, _role, _url, r in rows:
                if "error" in r:
                    lines.append(f"| {label} | — | — | **{r['error']}** |")
                else:
                    lines.append(f"| {label} | {ms(r['median'])} | {r['queries']:,} | {r.get('note', '')} |")
            lines.append("")
            continue
        lines += [
            "| page | role | status | median | first | queries | size | admin | admin q | × admin |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for label, role, url, r in rows:
            if "error" in r:
                lines.append(f"| {label} `{url}` | {role} | **{r['error']}** | | | | | | | |")
                continue
            a = r.get("admin", {})
            ratio = f"{r['median'] / a['median']:.2f}" if a.get("median") else "—"
            status = str(r["status"])
            if "job_seconds" in r:
                status += f" → job {ms(r['job_seconds'])}, {r['job_queries']:,} q, {r['job_rows']:,} rows"
            elif "job_error" in r:
                status += f" → job **{r['job_error']}**"
            if r["status"] >= 400:
                status = f"**{status}**"
            lines.append(
                f"| {label} `{url}` | {role} | {status} | {ms(r['median'])} | {ms(r['first'])} | {r['queries']:,} "
                f"| {r['bytes'] / 1024:,.0f} KiB | {ms(a.get('median'))} | {a.get('queries', '—')} | {ratio} |"
            )
        lines.append("")
    if memory_rows:
        lines += [
            "## Export memory (request + background build)",
            "",
            "Peak of Python allocations during the export (tracemalloc), and how much the process's peak resident "
            "size grew (it only grows past the earlier high-water mark, so 0 means no new peak). Flat means the "
            "peak does not grow with the rows.",
            "",
            "| export | role | rows in scope | status | peak (tracemalloc) | RSS high-water growth | output |",
            "|---|---|---:|---:|---:|---:|---:|",
        ]
        for label, role, url, rows, r in memory_rows:
            if "error" in r:
                lines.append(f"| {label} `{url}` | {role} | {rows or '—'} | **{r['error']}** | | |")
            else:
                lines.append(
                    f"| {label} `{url}` | {role} | {f'{rows:,}' if rows else '—'} | {r['status']} "
                    f"| {r['peak'] / 2**20:,.1f} MiB | {r['rss'] / 2**20:,.1f} MiB | {r['bytes'] / 1024:,.0f} KiB |"
                )
        lines.append("")
    lines += [
        f"Load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}. "
        "The machine is shared; compare ratios rather than absolute times between runs.",
        "",
        "<details><summary>seed_scale output</summary>",
        "",
        "```",
        seed_output.strip(),
        "```",
        "</details>",
        "",
    ]
    return "\n".join(lines)


def context():
    from django.db.models import Count

    from applications.models import District, Dossier, State
    from registry.models import PublishedList
    from reviews.models import PublicityBatch

    big = District.objects.get(code=BIG_DISTRICT_CODE)
    small = District.objects.get(code=SMALL_DISTRICT_CODE)
    listed = Dossier.objects.filter(state=State.LISTED).select_related("organisation").order_by("pk").first()
    year = Dossier.objects.order_by("-cycle_year").values_list("cycle_year", flat=True).first()
    open_batch = PublicityBatch.objects.filter(year=year).order_by("-ends_on").first()
    counts = {
        "dossiers": Dossier.objects.count(),
        "published lists": PublishedList.objects.count(),
    }
    counts.update({s: c for s, c in Dossier.objects.values_list("state").annotate(c=Count("pk")).order_by()})
    return {
        "district_pk": big.pk,
        "year": year,
        "today": datetime.date.today(),
        "publicity_ends_on": open_batch.ends_on if open_batch else datetime.date.today(),
        "listed_pk": listed.pk if listed else 1,
        "listed_code": listed.organisation.credit_code if listed else "",
        "all_rows": Dossier.objects.count(),
        "big_rows": Dossier.objects.filter(organisation__district=big).count(),
        "small_rows": Dossier.objects.filter(organisation__district=small).count(),
        "listed_rows": Dossier.objects.filter(state=State.LISTED).count(),
        "counts": {k: f"{v:,}" for k, v in counts.items()},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--database-url", default=f"sqlite:///{DEFAULT_SQLITE}")
    parser.add_argument("--repeat", type=int, default=5, help="requests per page (median of all but the first)")
    parser.add_argument("--reuse", action="store_true", help="keep and reuse an already seeded database")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the PostgreSQL database at the end")
    parser.add_argument("--only", help="regular expression: measure only matching pages/sweeps")
    parser.add_argument("--skip", default="", help="comma list of sections to skip: exports,memory,sweeps,pdf,imports")
    parser.add_argument("--page-timeout", type=int, default=120, help="seconds before a request is cut off")
    parser.add_argument("--sweep-timeout", type=int, default=300, help="seconds before a sweep/import is cut off")
    parser.add_argument("--output", help="report path (default bench/results/scale-<db>-<N>.md)")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))

    vendor = prepare_database(args.database_url, args.reuse)
    setup_django()
    import logging

    from django.core.management import call_command

    from applications.models import Dossier

    logging.getLogger("greenfactory").setLevel(logging.WARNING)  # transitions log one line each
    facts = machine_facts(vendor)
    seed_output, seed_seconds = "(reused)", 0.0
    if not (args.reuse and Dossier.objects.exists()):
        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        print(f"migrated in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
        out = io.StringIO()
        started = time.perf_counter()
        call_command("seed_scale", dossiers=args.dossiers, yes_scratch_database=True, stdout=out)
        seed_seconds = time.perf_counter() - started
        seed_output = out.getvalue()
        print(seed_output, file=sys.stderr, flush=True)

    # The bench builds background exports itself and times them; their Celery task must not be queued.
    with contextlib.suppress(ImportError):
        from exports import tasks as export_tasks

        export_tasks.build_export.delay = lambda *a, **k: None
    from greenfactory.celery import app as celery_app

    celery_app.conf.task_always_eager = True  # a sweep's follow-up tasks run in place (and roll back with it)

    ctx = context()
    bench = Bench(args, vendor)
    list_pages(bench, ctx)
    if "exports" not in skip:
        exports(bench, ctx)
    memory_rows = memory(bench, ctx) if "memory" not in skip else []
    if "sweeps" not in skip:
        sweeps(bench, ctx)
    if "pdf" not in skip:
        pdf(bench, ctx)
    if "imports" not in skip:
        imports(bench, ctx)

    text = report(bench, facts, ctx, memory_rows, seed_seconds, seed_output)
    print(text)
    path = Path(args.output) if args.output else RESULTS / f"scale-{vendor}-{ctx['all_rows']}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"written to {path}", file=sys.stderr)
    if vendor == "postgresql" and not args.keep_db:
        from django.db import connections

        connections.close_all()
        drop_database(args.database_url)


if __name__ == "__main__":
    main()
