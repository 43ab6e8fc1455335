"""Pool and national-list imports at province scale: bulk lookups and inserts that make the records of the
row-by-row path, large sheets in the background with progress and a per-row report, bad sheets refused whole."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from applications import services
from applications.credit_code import example_code
from applications.models import Dossier, ExclusionCondition, ImportJob, Kind, Organisation, State, TransitionLog
from greenfactory.celery import app
from tests.factories import OrganisationFactory, district

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("spring")]


def xlsx(rows, name="pool.xlsx"):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def eager(monkeypatch):
    monkeypatch.setitem(app.conf, "task_always_eager", True)


def mixed_rows(world, serial):
    """Every kind of row a sheet may hold: known, new, new twice, bad code, other district, unknown without
    a name, already pooled, excluded (第十二条)."""
    known = OrganisationFactory(district=district("nanshan"))
    pooled = OrganisationFactory(district=district("nanshan"))
    services.pool(pooled, Kind.FACTORY, 2027)
    excluded = OrganisationFactory(district=district("nanshan"))
    services.record_exclusion(
        excluded,
        condition=ExclusionCondition.choices[0][0],
        event_date=__import__("datetime").date(2026, 1, 5),
        evidence="信用中国",
        by=world.municipal,
    )
    elsewhere = OrganisationFactory(district=district("futian"))
    new = example_code(serial)
    return [
        (2, known.credit_code.lower(), ""),
        (3, new, "深圳市新入库科技有限公司"),
        (4, new, "深圳市新入库科技有限公司"),
        (5, "914403001922038217", "校验码错误"),
        (6, elsewhere.credit_code, ""),
        (7, example_code(serial + 1), ""),
        (8, pooled.credit_code, ""),
        (9, excluded.credit_code, ""),
    ]


def records(codes):
    """What an import leaves behind for these units, comparable between two runs."""
    dossiers = Dossier.objects.filter(organisation__credit_code__in=codes, cycle_year=2027)
    return {
        "organisations": sorted(
            Organisation.objects.filter(credit_code__in=codes).values_list("name", "district__code")
        ),
        "organisation history": sorted(
            Organisation.history.filter(credit_code__in=codes).values_list("name", "history_type")
        ),
        "dossiers": sorted(dossiers.values_list("organisation__name", "kind", "cycle_year", "state", "level")),
        "dossier history": sorted(
            Dossier.history.filter(organisation__credit_code__in=codes, cycle_year=2027).values_list(
                "organisation__name", "state", "history_type", "history_change_reason", "history_user__username"
            )
        ),
        "log": sorted(
            TransitionLog.objects.filter(dossier__in=dossiers).values_list(
                "dossier__organisation__name", "transition", "from_state", "to_state", "actor__username", "reason"
            )
        ),
    }


def test_bulk_pooling_makes_the_same_records_and_report_as_the_row_by_row_path(world):
    """Two sheets of the same shape (different units), one per path: same report, same kinds of records."""
    args = {"district": district("nanshan"), "kind": Kind.FACTORY, "cycle_year": 2027, "by": world.officer_nanshan}
    outcome = {}
    for pool, serial in ((services.bulk_pool_row_by_row, 7000), (services.bulk_pool, 7100)):
        rows = mixed_rows(world, serial)
        results = pool(rows, **args)
        snapshot = records([code.upper() for _line, code, _name in rows])
        unnamed = {key: sorted((tuple(row[1:]) for row in value), key=repr) for key, value in snapshot.items()}
        outcome[pool.__name__] = ([(r.line, r.ok) for r in results], unnamed)
    assert outcome["bulk_pool"] == outcome["bulk_pool_row_by_row"]
    assert outcome["bulk_pool"][0] == [(2, True), (3, True)] + [(line, False) for line in range(4, 10)]


def test_every_row_gets_its_reason(world):
    rows = mixed_rows(world, 7100)
    results = services.bulk_pool(
        rows, district=district("nanshan"), kind=Kind.FACTORY, cycle_year=2027, by=world.officer_nanshan
    )
    messages = {r.line: r.message for r in results}
    assert messages[2] == messages[3] == "已纳入培育库"
    assert "已有该类型" in messages[4] or "2027" in messages[4]
    assert "校验码" in messages[5]
    assert messages[6] == "该单位属于福田区。"
    assert "第十二条" in messages[9]


def test_bulk_pooling_looks_up_a_chunk_in_a_constant_number_of_queries(world, django_assert_max_num_queries):
    def sheet(start, n):
        return [(i + 2, example_code(start + i), f"深圳市批量{start + i}号有限公司") for i in range(n)]

    args = {"district": district("nanshan"), "kind": Kind.FACTORY, "cycle_year": 2027, "by": world.officer_nanshan}
    with django_assert_max_num_queries(20):
        assert sum(r.ok for r in services.bulk_pool(sheet(20000, 10), **args)) == 10
    # 300 rows: a handful of lookups and the inserts' batches (SQLite binds at most 999 values per
    # statement), against some 2,000 statements row by row
    with django_assert_max_num_queries(60):
        assert sum(r.ok for r in services.bulk_pool(sheet(30000, 300), **args)) == 300
    assert TransitionLog.objects.filter(transition="create", reason="批量导入").count() == 310


def test_a_large_sheet_is_imported_in_the_background_with_progress_and_a_report(
    client, world, settings, eager, django_capture_on_commit_callbacks
):
    settings.IMPORT_SYNC_ROWS = 3
    rows = [["统一社会信用代码", "单位名称"]] + [
        [example_code(40000 + i), f"深圳市后台{i}号有限公司"] for i in range(5)
    ]
    rows.append(["914403001922038217", "校验码错误"])
    client.force_login(world.officer_nanshan)
    data = {"bulk-sheet": xlsx(rows), "bulk-kind": "factory", "bulk-cycle_year": "2027"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("district_pool"), data)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert (job.status, job.total, job.done, job.imported) == (ImportJob.Status.DONE, 6, 6, 5)
    assert Dossier.objects.filter(cycle_year=2027, organisation__name__startswith="深圳市后台").count() == 5

    page = client.get(job.get_absolute_url())
    html = page.content.decode()
    assert '<progress id="import-bar" class="w-100" max="100" value="100">' in html
    assert "hx-trigger" not in html  # finished: polling stops
    assert "校验码" in html
    fragment = client.get(job.get_absolute_url(), HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode()

    download = client.get(reverse("import_report", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(download.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 1 + 6
    assert values[1][3] == _("Imported") and values[6][3] == _("Not imported")
    assert "校验码" in values[6][4]


def test_a_queued_job_polls_every_two_seconds_and_only_its_owner_sees_it(client, world):
    job = ImportJob.objects.create(user=world.officer_nanshan, kind=ImportJob.Kind.POOL, total=10000, done=2500)
    client.force_login(world.officer_nanshan)
    html = client.get(job.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert 'value="25"' in html
    client.force_login(world.officer_futian)
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.get(reverse("import_report", args=[job.pk])).status_code == 404


def test_a_sheet_above_the_limit_is_refused_whole_with_a_clear_message(client, world, settings):
    settings.IMPORT_MAX_ROWS = 4
    rows = [[example_code(50000 + i), f"深圳市超限{i}号有限公司"] for i in range(5)]
    client.force_login(world.officer_nanshan)
    data = {"bulk-sheet": xlsx(rows), "bulk-kind": "factory", "bulk-cycle_year": "2027"}
    response = client.post(reverse("district_pool"), data)
    assert _("The sheet has more than %(n)d rows: please split it into several files of at most %(n)d rows.") % {
        "n": 4
    } in response.content.decode().replace("&#x27;", "'")
    assert not Organisation.objects.filter(name__startswith="深圳市超限").exists()
    assert not ImportJob.objects.exists()


def test_a_bad_file_is_refused_in_chinese_and_nothing_is_saved(client, world):
    client.force_login(world.officer_nanshan)
    data = {"bulk-sheet": SimpleUploadedFile("pool.xlsx", b"PK\x03\x04broken"), "bulk-kind": "factory"}
    data["bulk-cycle_year"] = "2027"
    before = (Organisation.objects.count(), Dossier.objects.count(), TransitionLog.objects.count())
    response = client.post(reverse("district_pool"), data)
    assert "该文件不是Excel工作簿（.xlsx）。" in response.content.decode()
    assert (Organisation.objects.count(), Dossier.objects.count(), TransitionLog.objects.count()) == before
    assert not ImportJob.objects.exists()


def test_the_national_list_matches_all_rows_with_two_lookups_as_row_by_row(world, django_assert_max_num_queries):
    from registry.national_list import match, matcher

    twin = OrganisationFactory(name=world.org_b.name + "（分厂）")
    rows = [
        (2, "广东", "不在本市的单位", world.org_a.credit_code),  # matched by credit code
        (3, "广东", world.org_b.name, ""),  # by name
        (4, "广东", twin.name, "914403001922038217"),  # an invalid code falls back to the name
        (5, "广东", "查无此单位", example_code(6060)),  # unknown
    ]
    with django_assert_max_num_queries(2):
        find = matcher(rows)
        found = [find(name, code) for _n, _r, name, code in rows]
    assert found == [match(name, code) for _n, _r, name, code in rows] == [world.org_a, world.org_b, twin, None]


# MIIT's national list (第十八条) -------------------------------------------------------------------------

NATIONAL_SERIAL = iter(range(80_000, 90_000))


def units(n, state=None, *, level="", year=2026, where="nanshan"):
    """``n`` organisations, each with a factory dossier of ``year`` in ``state`` (none if ``state`` is None)."""
    from applications.models import Dossier

    made = Organisation.objects.bulk_create(
        [
            Organisation(
                credit_code=example_code(serial), name=f"深圳市国家名单{serial}号有限公司", district=district(where)
            )
            for serial in (next(NATIONAL_SERIAL) for _ in range(n))
        ]
    )
    if state is not None:
        Dossier.objects.bulk_create(
            [Dossier(organisation=o, kind=Kind.FACTORY, cycle_year=year, state=state, level=level) for o in made]
        )
    return made


def nominated():
    """A dossier nominated to MIIT (made in that state: the path there is not what these tests are about)."""
    organisation = units(1, State.NOMINATED)[0]
    return Dossier.objects.get(organisation=organisation)


def exclude(organisation, world):
    import datetime

    services.record_exclusion(
        organisation,
        condition=ExclusionCondition.choices[0][0],
        event_date=datetime.date(2026, 1, 5),
        evidence="信用中国",
        by=world.municipal,
    )


def national_rows(world, n=1):
    """Rows of every kind, ``n`` of each: a nominated unit (by name), listed units (by credit code, with another
    name), a unit already national, one being rechecked, units without a dossier (entered), an excluded unit and
    one with another dossier this year (not entered), a unit twice, rows matching nothing."""
    nominees = [nominated().organisation]
    rows, number = [], iter(range(2, 100_000))
    for organisation in nominees:
        rows.append((next(number), "广东省深圳市", organisation.name, ""))
    for organisation in units(n, State.LISTED, level="municipal"):
        rows.append((next(number), "广东省深圳市", "名单上的名称不同", organisation.credit_code))
    for group in (units(n, State.LISTED, level="national"), units(n, State.RECHECKING, level="municipal"), units(n)):
        rows += [(next(number), "广东省深圳市", o.name, "") for o in group]
    excluded = units(1)  # its guard reads its own declarations: one query per excluded unit (a rare row)
    for organisation in excluded:
        exclude(organisation, world)
    rows += [(next(number), "广东", o.name, o.credit_code) for o in excluded + units(n, State.POOLED)]
    rows += [(next(number), "广东", rows[-1][2], "")]  # the same unit again
    rows += [(next(number), "广东", f"查无此单位{k}", example_code(next(NATIONAL_SERIAL))) for k in range(n)]
    return rows


def national_records(rows):
    from accounts.models import Notification
    from registry.models import NationalListing, UnmatchedNationalRow

    names = [name for _n, _r, name, _c in rows]
    codes = [code for _n, _r, _name, code in rows if code]
    organisations = Organisation.objects.filter(Q(name__in=names) | Q(credit_code__in=codes))
    dossiers = Dossier.objects.filter(organisation__in=organisations, kind=Kind.FACTORY)
    return {
        "listings": sorted(
            NationalListing.objects.filter(organisation__in=organisations).values_list(
                "organisation__name", "year", "kind", "name_in_list", "region"
            )
        ),
        "listing history": sorted(
            NationalListing.history.filter(organisation__in=organisations).values_list("name_in_list", "history_type")
        ),
        "dossiers": sorted(
            dossiers.values_list(
                "organisation__name", "cycle_year", "state", "level", "rank", "listed_on", "next_recheck_due"
            ),
            key=repr,
        ),
        "dossier history": sorted(
            Dossier.history.filter(organisation__in=organisations).values_list(
                "organisation__name", "state", "level", "history_type", "history_change_reason", "history_user_id"
            ),
            key=repr,
        ),
        "log": sorted(
            TransitionLog.objects.filter(dossier__in=dossiers).values_list(
                "dossier__organisation__name", "transition", "from_state", "to_state", "actor__username", "reason"
            )
        ),
        "unmatched": sorted(UnmatchedNationalRow.objects.values_list("row_number", "region", "name", "credit_code")),
        "notifications": sorted(Notification.objects.values_list("recipient__username", "title", "body")),
    }


def national_row_by_row(national_import, rows, *, by):
    """The import as it was before issue 13, one row at a time: the reference of the bulk path."""
    from registry.models import UnmatchedNationalRow
    from registry.national_list import apply_national_listing, match

    for number, region, name, code in rows:
        organisation = match(name, code)
        if organisation is None:
            UnmatchedNationalRow.objects.get_or_create(
                national_import=national_import,
                row_number=number,
                defaults={"region": region, "name": name, "credit_code": code},
            )
            continue
        apply_national_listing(
            year=national_import.year, kind=national_import.kind, organisation=organisation, name=name,
            region=region, by=by,
        )  # fmt: skip


def test_the_national_list_in_bulk_makes_the_records_of_the_row_by_row_path(world, django_capture_on_commit_callbacks):
    """The same sheet on the same data, once row by row (rolled back), once in bulk: the same listings, dossiers,
    history, log rows, unmatched rows and notifications."""
    from django.db import transaction

    from registry.models import NationalImport
    from registry.national_list import import_rows

    rows = national_rows(world, n=2)
    national_import = NationalImport.objects.create(
        year=2026, kind=Kind.FACTORY, filename="n.xlsx", digest="x", imported_by=world.municipal
    )
    outcome = {}

    class Rollback(Exception):
        pass

    for name, run in (
        ("row by row", lambda: national_row_by_row(national_import, rows, by=world.municipal)),
        ("bulk", lambda: import_rows(national_import, rows, by=world.municipal, chunk=7)),
    ):
        try:
            with transaction.atomic():
                with django_capture_on_commit_callbacks(execute=True):
                    run()
                outcome[name] = national_records(rows)
                raise Rollback
        except Rollback:
            pass
    assert outcome["bulk"] == outcome["row by row"]
    assert len(outcome["bulk"]["log"]) == 3 and outcome["bulk"]["notifications"]  # 1 listed, 2 entered


def test_every_national_row_gets_its_result(world):
    from registry.models import NationalImport
    from registry.national_list import import_rows

    rows = national_rows(world)
    national_import = NationalImport.objects.create(
        year=2026, kind=Kind.FACTORY, filename="n.xlsx", digest="x", imported_by=world.municipal
    )
    results = import_rows(national_import, rows, by=world.municipal)
    assert [(r.line, r.ok) for r in results] == [(n, True) for n, *_ in rows[:-1]] + [(rows[-1][0], False)]
    messages = [r.message for r in results]
    assert "提名" in messages[0] or "national" in messages[0].lower() or messages[0]
    assert len(set(messages)) >= 5  # listed, raised, entered, not entered, repeated, unmatched
    assert sum(r.created for r in results) == len(rows) - 2  # every matched unit once


def test_the_national_list_is_applied_in_a_constant_number_of_queries(world):
    """Lookups, inserts and updates per chunk: 4 or 40 rows of each kind cost the same (the round's
    nominees, a few, go one by one through their transition, and an excluded unit's guard reads its
    declarations: one of each here, or none)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from registry.models import NationalImport
    from registry.national_list import import_rows

    counts = []
    for n in (4, 40):
        rows = national_rows(world, n)[1:]  # without the nominee
        national_import = NationalImport.objects.create(
            year=2026, kind=Kind.FACTORY, filename=f"{n}.xlsx", digest=str(n), imported_by=world.municipal
        )
        with CaptureQueriesContext(connection) as queries:
            results = import_rows(national_import, rows, by=world.municipal)
        assert sum(r.ok for r in results) == len(rows) - n  # the unmatched rows
        counts.append(len(queries))
    assert counts[0] == counts[1] and counts[0] < 40


def test_a_refused_nominee_is_reported_and_leaves_nothing_half_saved(world):
    """A nominated unit under an Art. 12 exclusion: its row says why (第十二条), no listing or log row is kept
    for it, and the other rows are imported."""
    from registry.models import NationalImport, NationalListing
    from registry.national_list import import_rows

    nominee = nominated()
    exclude(nominee.organisation, world)
    other = units(1, State.LISTED, level="municipal")[0]
    national_import = NationalImport.objects.create(
        year=2026, kind=Kind.FACTORY, filename="n.xlsx", digest="x", imported_by=world.municipal
    )
    before = TransitionLog.objects.filter(dossier=nominee).count()
    rows = [(2, "广东", nominee.organisation.name, ""), (3, "广东", other.name, "")]
    first, second = import_rows(national_import, rows, by=world.municipal)
    assert (first.ok, second.ok) == (False, True)
    assert "第十二条" in first.message
    assert not NationalListing.objects.filter(organisation=nominee.organisation).exists()
    assert TransitionLog.objects.filter(dossier=nominee).count() == before
    nominee.refresh_from_db()
    assert nominee.state == State.NOMINATED
    assert NationalListing.objects.filter(organisation=other).exists()


def national_xlsx(rows):
    return xlsx([["序号", "地区", "名称", "统一社会信用代码"]] + [list(row) for row in rows], name="national.xlsx")


def test_a_large_national_list_is_imported_in_the_background_with_progress_and_a_report(
    client, world, settings, eager, django_capture_on_commit_callbacks
):
    settings.IMPORT_SYNC_ROWS = 3
    rows = national_rows(world)
    client.force_login(world.municipal)
    data = {"import": "1", "year": "2026", "kind": Kind.FACTORY, "sheet": national_xlsx(rows)}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("national"), data)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert (job.kind, job.status, job.total, job.done) == (ImportJob.Kind.NATIONAL, ImportJob.Status.DONE, 9, 9)
    assert job.imported == 8
    html = client.get(job.get_absolute_url()).content.decode()
    assert '<progress id="import-bar" class="w-100" max="100" value="100">' in html
    assert "查无此单位0" in html and reverse("national") in html
    sheet = load_workbook(io.BytesIO(client.get(reverse("import_report", args=[job.pk])).content)).active
    assert len(list(sheet.iter_rows(values_only=True))) == 1 + 9
    page = client.get(reverse("national")).content.decode()
    assert job.get_absolute_url() in page  # the list page links to its background imports
    assert "查无此单位0" in page  # the unmatched row waits for manual matching


def test_a_national_list_above_the_limit_is_refused_whole(client, world, settings):
    from registry.models import NationalImport

    settings.IMPORT_MAX_ROWS = 2
    rows = [(k, "广东", world.org_a.name, "") for k in range(1, 4)]
    client.force_login(world.municipal)
    data = {"import": "1", "year": "2026", "kind": Kind.FACTORY, "sheet": national_xlsx(rows)}
    response = client.post(reverse("national"), data, follow=True)
    assert _("The sheet has more than %(n)d rows: please split it into several files of at most %(n)d rows.") % {
        "n": 2
    } in response.content.decode().replace("&#x27;", "'")
    assert not NationalImport.objects.exists() and not ImportJob.objects.exists()
