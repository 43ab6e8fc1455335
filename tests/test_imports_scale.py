"""Pool imports at province scale: bulk lookups and inserts that make the records of the row-by-row path,
large sheets in the background with progress and a per-row report, bad sheets refused whole."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from applications import services
from applications.credit_code import example_code
from applications.models import Dossier, ExclusionCondition, ImportJob, Kind, Organisation, TransitionLog
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
