"""Backup and restore (issue 14: nothing lost). The drill runs against the real PostgreSQL (CI step 3): seed, back up
with pg_dump, restore into a scratch database, compare counts, the transition log's chains and the media hashes."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from applications.models import Dossier, State, TransitionLog
from operations import backups
from tests.conftest import make_dossier


def _psycopg(params):
    import psycopg

    kwargs = {k.lower().removeprefix("pg"): v for k, v in params.items() if k != "PGDATABASE"}
    return psycopg.connect(dbname=params["PGDATABASE"], autocommit=True, **kwargs)


def _check_only(folder, params, media_dir):
    """manage.py restore --check-only in a process connected to the restored database."""
    env = {**os.environ, "DATABASE_URL": backups.database_url(params)}
    command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "restore", str(folder), "--check-only"]
    return subprocess.run([*command, "--media-dir", str(media_dir)], env=env, capture_output=True, text=True)


@pytest.fixture
def scratch_database():
    """A database name on the test server that nothing uses; dropped at the end."""
    name = f"gf_restore_drill_{uuid.uuid4().hex[:8]}"
    params = backups.pg_params(name=name)
    yield name, params
    with backups._maintenance_connect(params) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_gives_identical_counts_chains_and_files(world, tmp_path, scratch_database):
    assert shutil.which("pg_dump") and shutil.which("pg_restore"), "postgresql-client is needed"
    listed = make_dossier(world.org_a, State.LISTED)
    submitted = make_dossier(world.org_b, State.SUBMITTED)
    make_dossier(world.org_b, State.POOLED, year=2027)
    default_storage.save("evidence/2026/现场照片.pdf", ContentFile(b"%PDF-1.4 scan " * 100))
    default_storage.save("exports/名单.xlsx", ContentFile(os.urandom(5000)))
    media_root = Path(settings.MEDIA_ROOT)
    originals = {
        p.relative_to(media_root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in media_root.rglob("*")
        if p.is_file()
    }
    assert len(originals) >= 4  # two reports attached on the way, the photo, the export
    log_rows = TransitionLog.objects.count()
    assert log_rows >= 8

    call_command("backup", destination=str(tmp_path / "backups"), keep=3)
    (folder,) = backups.backups_in(tmp_path / "backups")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["database"]["name"] == connection.settings_dict["NAME"]
    assert manifest["database"]["snapshot"] is True
    assert (
        manifest["database"]["pg_dump_version"].split()[2].split(".")[0]
        == (manifest["database"]["server_version"].split(".")[0])
    ), "pg_dump's major version must be the server's"
    assert manifest["database"]["tables"]["applications_dossier"] == 3
    assert manifest["database"]["tables"]["applications_transitionlog"] == log_rows
    assert manifest["transition_log"] == {"rows": log_rows, "problems": 0, "first_problems": []}
    assert manifest["media"]["hashes"] == originals

    name, params = scratch_database
    restored_media = tmp_path / "restored-media"
    call_command("restore", str(folder), database=name, media_dir=str(restored_media))

    # Independently of the command's own checks: the scratch database and the folder hold the same.
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, state FROM applications_dossier ORDER BY id")
        dossiers = cursor.fetchall()
        cursor.execute("SELECT id, row_hash FROM applications_transitionlog ORDER BY id")
        chain = cursor.fetchall()
    with _psycopg(params) as conn:
        assert conn.execute("SELECT id, state FROM applications_dossier ORDER BY id").fetchall() == dossiers
        assert conn.execute("SELECT id, row_hash FROM applications_transitionlog ORDER BY id").fetchall() == chain
        for table, rows in manifest["database"]["tables"].items():
            assert conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] == rows, table
    assert {
        p.relative_to(restored_media).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in restored_media.rglob("*")
        if p.is_file()
    } == originals
    assert (listed.pk, State.LISTED) in dossiers and (submitted.pk, State.SUBMITTED) in dossiers

    # The restored copy passes the checks in a process of its own …
    ok = _check_only(folder, params, restored_media)
    assert ok.returncode == 0, ok.stderr
    assert '"mismatches": []' in ok.stdout

    # … and a restore over it is refused without --force.
    with pytest.raises(CommandError, match="refusing to restore over it"):
        call_command("restore", str(folder), database=name, media_dir=str(tmp_path / "elsewhere"))

    # The checks see a state changed behind the log, a damaged file, a missing row.
    with _psycopg(params) as conn:
        conn.execute("UPDATE applications_dossier SET state = 'pooled' WHERE id = %s", [listed.pk])
        conn.execute("DELETE FROM django_migrations WHERE id = (SELECT max(id) FROM django_migrations)")
    report = next(iter(originals))
    (restored_media / report).write_bytes(b"changed")
    failed = _check_only(folder, params, restored_media)
    assert failed.returncode != 0
    assert f"dossier {listed.pk}" in failed.stderr
    assert "table django_migrations" in failed.stderr
    assert f"media {report}: SHA-256 differs" in failed.stderr

    # A restore from a damaged backup stops before touching anything.
    with open(folder / "database.dump", "ab") as dump:
        dump.write(b"\0")
    with pytest.raises(CommandError, match="does not match the manifest"):
        call_command("restore", str(folder), database=name + "_x", media_dir=str(tmp_path / "x"))
    assert Dossier.objects.count() == 3


def test_backup_keeps_the_last_n_complete_backups(tmp_path):
    for stamp in ("20260101T000000Z", "20260102T000000Z", "20260103T000000Z", "20260104T000000Z"):
        (tmp_path / stamp).mkdir()
        (tmp_path / stamp / "manifest.json").write_text("{}")
    (tmp_path / "20260105T000000Z").mkdir()  # no manifest: not a backup, never counted or removed
    (tmp_path / ".partial-20260102T000000Z").mkdir()  # a crashed run, older than the newest backup
    (tmp_path / "notes").mkdir()

    removed = backups.prune(tmp_path, keep=2)

    assert sorted(p.name for p in backups.backups_in(tmp_path)) == ["20260103T000000Z", "20260104T000000Z"]
    assert sorted(p.name for p in removed) == [".partial-20260102T000000Z", "20260101T000000Z", "20260102T000000Z"]
    assert (tmp_path / "notes").is_dir() and (tmp_path / "20260105T000000Z").is_dir()


@pytest.mark.django_db
def test_backup_refuses_sqlite_clearly(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite refusal is checked on the SQLite run")
    with pytest.raises(CommandError, match="backups need PostgreSQL"):
        call_command("backup", destination=str(tmp_path))
    assert not any(tmp_path.iterdir())


def test_media_check_finds_missing_and_changed_files(tmp_path):
    (tmp_path / "a.pdf").write_bytes(b"a")
    (tmp_path / "c.pdf").write_bytes(b"changed")
    hashes = {name: hashlib.sha256(b"a").hexdigest() for name in ("a.pdf", "b.pdf", "c.pdf")}

    assert backups.check_media(hashes, tmp_path) == (["media b.pdf: missing", "media c.pdf: SHA-256 differs"], 3)
    assert backups.check_media(hashes, tmp_path, sample=1)[1] == 1
