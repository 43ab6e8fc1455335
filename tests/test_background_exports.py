"""Issue 13: an export above EXPORT_BACKGROUND_ROWS is built by a Celery task; its owner watches the progress
and downloads the file; nobody else sees it; the file expires; the download is audited."""

import datetime
import io
import os

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEvent, EventType
from exports import services
from exports.models import ExportJob
from greenfactory.celery import app
from greenfactory.sweeps import SWEEPS
from tests.conftest import at, make_dossier
from tests.factories import OrganisationFactory, declare_eligible

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager(monkeypatch):
    monkeypatch.setitem(app.conf, "task_always_eager", True)


def three_dossiers():
    for _ in range(3):
        org = OrganisationFactory()
        declare_eligible(org)
        make_dossier(org)


def ask(client, user, settings, **filters):
    settings.EXPORT_BACKGROUND_ROWS = 2
    client.force_login(user)
    return client.get(reverse("home"), {"format": "xlsx", **filters})


def test_a_small_export_is_answered_at_once(client, world, settings):
    three_dossiers()
    settings.EXPORT_BACKGROUND_ROWS = 3
    client.force_login(world.municipal)

    response = client.get(reverse("home"), {"format": "xlsx"})

    assert response.status_code == 200
    assert ExportJob.objects.count() == 0


def test_a_large_export_becomes_a_job_built_in_the_background(
    client, world, settings, eager, django_capture_on_commit_callbacks
):
    three_dossiers()
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, world.municipal, settings, kind="factory")

    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("export_job", args=[job.pk])
    assert (job.user, job.kind, job.params) == (world.municipal, "dossiers", {"kind": ["factory"]})
    assert (job.status, job.rows_done, job.total) == (ExportJob.Status.DONE, 3, 3)
    assert job.file.name.startswith("exports/dossiers-")
    page = client.get(response["Location"]).content.decode()
    assert '<progress id="export-bar"' in page and 'value="100"' in page
    assert reverse("export_download", args=[job.pk]) in page
    download = client.get(reverse("export_download", args=[job.pk]))
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert len(list(sheet.iter_rows())) == 1 + 3
    event = AuditEvent.objects.filter(event_type=EventType.EXPORT).get()
    assert (event.actor, event.target) == (world.municipal, reverse("export_download", args=[job.pk]))


def test_progress_polls_every_two_seconds_until_the_file_is_ready(client, world, settings):
    three_dossiers()
    ask(client, world.municipal, settings)  # on_commit never runs here: the job waits in the queue
    job = ExportJob.objects.get()

    waiting = client.get(reverse("export_job", args=[job.pk]), headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 2s"' in waiting
    assert 'max="100" value="0"' in waiting
    assert reverse("export_download", args=[job.pk]) not in waiting
    assert client.get(reverse("export_download", args=[job.pk])).status_code == 404

    services.build(job)
    job.refresh_from_db()
    assert (job.status, job.rows_done) == (ExportJob.Status.DONE, 3)
    ready = client.get(reverse("export_job", args=[job.pk]), headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in ready
    assert reverse("export_download", args=[job.pk]) in ready


def test_progress_is_saved_every_chunk(world, settings, monkeypatch):
    three_dossiers()
    job = ExportJob.objects.create(user=world.municipal, kind="dossiers", params={})
    seen = []
    from applications import spreadsheets

    real = spreadsheets.write_xlsx

    def small_chunks(*args, **kwargs):
        def progress(done, report=kwargs["progress"]):
            report(done)
            seen.append(ExportJob.objects.get(pk=job.pk).rows_done)

        return real(*args, **{**kwargs, "progress": progress, "every": 1})

    monkeypatch.setattr(services, "write_xlsx", small_chunks)
    services.build(job)

    assert seen == [1, 2, 3, 3]


def test_only_the_owner_sees_the_job_and_its_file(client, world, settings, eager, django_capture_on_commit_callbacks):
    three_dossiers()
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, world.municipal, settings)
    job = ExportJob.objects.get()
    other = world.officer_nanshan
    client.force_login(other)

    assert client.get(reverse("export_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("export_download", args=[job.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("export_download", args=[job.pk])).status_code == 302  # to the login


def test_the_job_keeps_the_scope_of_its_owner(client, world, settings, eager, django_capture_on_commit_callbacks):
    three_dossiers()  # in random districts
    make_dossier(world.org_a)
    make_dossier(world.org_a, year=2027)
    make_dossier(world.org_a, year=2028)
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, world.officer_nanshan, settings)
    job = ExportJob.objects.get()
    from accounts.scoping import dossiers_for

    assert job.rows_done == dossiers_for(world.officer_nanshan).count()


def test_a_failed_job_keeps_its_error_and_says_so(client, world, monkeypatch):
    job = ExportJob.objects.create(user=world.municipal, kind="dossiers", params={})

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(services, "write_xlsx", broken)
    with pytest.raises(OSError):
        services.build(job)

    job.refresh_from_db()
    assert (job.status, job.error) == (ExportJob.Status.FAILED, "disk full")
    client.force_login(world.municipal)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "hx-trigger" not in page and "text-danger" in page


def test_files_expire_after_the_setting_s_days(client, world, settings, eager, django_capture_on_commit_callbacks):
    settings.EXPORT_KEEP_DAYS = 7
    three_dossiers()
    with time_machine.travel(at(2026, 9, 1)), django_capture_on_commit_callbacks(execute=True):
        ask(client, world.municipal, settings)
    job = ExportJob.objects.get()
    path = job.file.path

    assert SWEEPS["expire_exports"](at(2026, 9, 7)) == []
    changes = SWEEPS["expire_exports"](at(2026, 9, 1) + datetime.timedelta(days=7, minutes=1))

    job.refresh_from_db()
    assert changes == [f"export {job.pk} (dossiers) expired"]
    assert job.status == ExportJob.Status.EXPIRED and not job.file
    assert not os.path.exists(path)
    assert client.get(reverse("export_download", args=[job.pk])).status_code == 404
    assert reverse("export_download", args=[job.pk]) not in client.get(job.get_absolute_url()).content.decode()


def test_the_expiry_sweep_is_a_task_on_the_beat_schedule(settings):
    from greenfactory.sweeps import TASKS

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "greenfactory.sweeps.expire_exports" in tasks
    assert TASKS["expire_exports"].name == "greenfactory.sweeps.expire_exports"
