"""Backup and restore (issue 14: nothing lost): ``manage.py backup`` and ``manage.py restore`` (``bin/backup``,
``bin/restore``).

A backup is one folder ``<BACKUP_DIR>/<UTC time>/`` holding

- ``database.dump``: ``pg_dump -Fc`` of the default database;
- ``media.tar``: every file under ``MEDIA_ROOT`` (skipped, and said so, when media live on object storage);
- ``manifest.json``: the time, the git commit, the row count of every table, the transition log's verification
  (rows and problems, ``applications.transition_chain.verify``), the SHA-256 of the dump, of the tar and of
  every media file.

Counts, the verification and the dump read one snapshot: the counts run in a REPEATABLE READ transaction whose
snapshot ``pg_dump --snapshot`` shares, so a portal writing meanwhile cannot make them disagree. The folder is
written as ``.partial-<time>`` and renamed when complete; only complete folders count towards ``BACKUP_KEEP``.

SQLite is refused: the development database is a file under ``var/``; copy it with ``sqlite3 var/db.sqlite3
".backup var/copy.sqlite3"`` while nothing writes.
"""

import datetime
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA_TAR = "media.tar"
NAME_PATTERN = re.compile(r"^\d{8}T\d{6}Z$")
FORMAT_VERSION = 1


class BackupError(Exception):
    """A backup or restore that cannot go on, or a restore whose checks fail."""


def sha256_file(path, chunk=1 << 20):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


class _HashingReader:
    """A file read once: into the tar and into its hash, so the manifest says what the tar holds."""

    def __init__(self, handle):
        self.handle, self.digest = handle, hashlib.sha256()

    def read(self, size=-1):
        data = self.handle.read(size)
        self.digest.update(data)
        return data


# --- connection parameters -------------------------------------------------------------------------------------


def pg_params(settings_dict=None, name=None):
    """libpq environment for pg_dump / pg_restore / psycopg from a Django database settings dict (the password
    goes through PGPASSWORD, never the command line)."""
    db = settings_dict or connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise BackupError(
            "backups need PostgreSQL (DATABASE_URL=postgres://…); the development SQLite database is a file: "
            'copy it with sqlite3 var/db.sqlite3 ".backup var/copy.sqlite3"'
        )
    env = {"PGDATABASE": name or db["NAME"]}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    return env


def database_url(params):
    from urllib.parse import quote

    user = quote(params.get("PGUSER", ""), safe="")
    password = quote(params.get("PGPASSWORD", ""), safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = params.get("PGHOST", "")
    port = f":{params['PGPORT']}" if params.get("PGPORT") else ""
    return f"postgres://{auth}{host}{port}/{quote(params['PGDATABASE'], safe='')}"


def _run(command, params, **kwargs):
    tool = shutil.which(command[0])
    if tool is None:
        raise BackupError(f"{command[0]} is not installed (Debian: apt-get install postgresql-client)")
    result = subprocess.run(
        [tool, *command[1:]], env={**os.environ, **params}, capture_output=True, text=True, check=False, **kwargs
    )
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed ({result.returncode}): {result.stderr.strip()[-2000:]}")
    return result


# --- what is counted -------------------------------------------------------------------------------------------


def table_counts(conn=None):
    """{table: rows} for every table of the public schema (exact counts, in the caller's transaction)."""
    conn = conn or connection
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename",
        )
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {conn.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def chain_summary(limit=100):
    from applications.transition_chain import verify

    rows, problems = verify(limit=limit)
    return {"rows": rows, "problems": len(problems), "first_problems": [str(p) for p in problems[:10]]}


def git_commit():
    commit = os.environ.get("GIT_COMMIT", "")
    if commit:
        return commit
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return (result.stdout.strip() or None) if result.returncode == 0 else None


def media_on_object_storage():
    return getattr(settings, "MEDIA_STORAGE", "filesystem") != "filesystem"


# --- backup ----------------------------------------------------------------------------------------------------


def _tar_media(media_root, target):
    """Tar every file under media_root; return {relative path: sha256}."""
    hashes = {}
    media_root = Path(media_root)
    with tarfile.open(target, "w") as tar:
        if not media_root.is_dir():
            return hashes
        for path in sorted(p for p in media_root.rglob("*") if p.is_file() and not p.is_symlink()):
            relative = path.relative_to(media_root).as_posix()
            info = tar.gettarinfo(str(path), arcname=relative)
            with open(path, "rb") as handle:
                reader = _HashingReader(handle)
                tar.addfile(info, reader)
            hashes[relative] = reader.digest.hexdigest()
    return hashes


def backup(destination=None, keep=None, now=None, log=print):
    """Make one backup folder under ``destination`` (``BACKUP_DIR``) and keep the last ``keep`` (``BACKUP_KEEP``).
    Returns the folder."""
    params = pg_params()
    destination = Path(destination or settings.BACKUP_DIR)
    keep = settings.BACKUP_KEEP if keep is None else keep
    now = now or datetime.datetime.now(datetime.UTC)
    name = now.strftime("%Y%m%dT%H%M%SZ")
    folder, partial = destination / name, destination / f".partial-{name}"
    if folder.exists():
        raise BackupError(f"{folder} exists already")
    partial.mkdir(parents=True, exist_ok=False)
    try:
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": now.isoformat(),
            "git_commit": git_commit(),
            "database": {"name": params["PGDATABASE"], "file": DUMP},
        }
        snapshot_shared = not connection.in_atomic_block
        with transaction.atomic():
            if snapshot_shared:
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
                    snapshot, server_version = cursor.fetchone()
                snapshot_args = [f"--snapshot={snapshot}"]
            else:  # already inside a transaction (a test): the dump sees what is committed
                with connection.cursor() as cursor:
                    cursor.execute("SELECT current_setting('server_version')")
                    server_version = cursor.fetchone()[0]
                snapshot_args = []
            log(f"dumping {params['PGDATABASE']} (server {server_version})")
            _run(["pg_dump", "-Fc", "--no-owner", "--no-privileges", *snapshot_args, "-f", str(partial / DUMP)], params)
            manifest["database"].update(
                server_version=server_version,
                pg_dump_version=_run(["pg_dump", "--version"], {}).stdout.strip(),
                snapshot=bool(snapshot_args),
                tables=table_counts(),
            )
            manifest["transition_log"] = chain_summary()
        manifest["database"]["sha256"] = sha256_file(partial / DUMP)
        if media_on_object_storage():
            manifest["media"] = {
                "skipped": f"media are on object storage (MEDIA_STORAGE={settings.MEDIA_STORAGE}): back up the bucket "
                "with the provider's versioning and replication"
            }
        else:
            log(f"archiving media from {settings.MEDIA_ROOT}")
            hashes = _tar_media(settings.MEDIA_ROOT, partial / MEDIA_TAR)
            manifest["media"] = {
                "file": MEDIA_TAR,
                "root": str(settings.MEDIA_ROOT),
                "files": len(hashes),
                "bytes": sum(p.stat().st_size for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())
                if Path(settings.MEDIA_ROOT).is_dir()
                else 0,
                "sha256": sha256_file(partial / MEDIA_TAR),
                "hashes": hashes,
            }
        (partial / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True))
        partial.rename(folder)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    for old in prune(destination, keep):
        log(f"removed old backup {old}")
    return folder


def backups_in(destination):
    destination = Path(destination)
    if not destination.is_dir():
        return []
    return sorted(p for p in destination.iterdir() if NAME_PATTERN.match(p.name) and (p / MANIFEST).is_file())


def prune(destination, keep):
    """Remove all but the newest ``keep`` complete backups (and partial folders of crashed runs). Returns them."""
    removed = []
    complete = backups_in(destination)
    for old in complete[: max(len(complete) - keep, 0)] if keep > 0 else []:
        shutil.rmtree(old)
        removed.append(old)
    newest = complete[-1].name if complete else ""
    for stale in Path(destination).glob(".partial-*"):
        if stale.name.removeprefix(".partial-") < newest:
            shutil.rmtree(stale, ignore_errors=True)
            removed.append(stale)
    return removed


# --- restore ---------------------------------------------------------------------------------------------------


def read_manifest(folder):
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise BackupError(f"{folder} holds no {MANIFEST}: not a complete backup")
    return json.loads(path.read_text())


def check_files(folder, manifest):
    """The dump and the tar are the files the manifest describes."""
    folder = Path(folder)
    if sha256_file(folder / DUMP) != manifest["database"]["sha256"]:
        raise BackupError(f"{folder / DUMP} does not match the manifest's SHA-256: the backup is damaged")
    media = manifest.get("media", {})
    if media.get("file") and sha256_file(folder / media["file"]) != media["sha256"]:
        raise BackupError(f"{folder / media['file']} does not match the manifest's SHA-256: the backup is damaged")


def _maintenance_connect(params):
    import psycopg

    kwargs = {
        "host": params.get("PGHOST"),
        "port": params.get("PGPORT"),
        "user": params.get("PGUSER"),
        "password": params.get("PGPASSWORD"),
    }
    return psycopg.connect(dbname="postgres", autocommit=True, **{k: v for k, v in kwargs.items() if v})


def database_tables(params):
    """Tables in the target's public schema, or None when the database does not exist."""
    import psycopg

    with _maintenance_connect(params) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [params["PGDATABASE"]]).fetchone()
    if not exists:
        return None
    kwargs = {k.lower().removeprefix("pg"): v for k, v in params.items() if k != "PGDATABASE"}
    with psycopg.connect(dbname=params["PGDATABASE"], **kwargs) as conn:
        return [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]


def create_database(params):
    from psycopg import sql

    with _maintenance_connect(params) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(params["PGDATABASE"])))


def restore(folder, database, media_dir, *, force=False, log=print):
    """pg_restore the backup into ``database`` (created when missing) and untar its media into ``media_dir``;
    refuses a database that has tables, or a media folder that has files, unless ``force``."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    check_files(folder, manifest)
    params = pg_params(name=database)
    tables = database_tables(params)
    if tables is None:
        log(f"creating database {database}")
        create_database(params)
    elif tables and not force:
        raise BackupError(
            f"database {database} has {len(tables)} tables: refusing to restore over it (use --force to replace "
            "the objects the backup holds)"
        )
    media = manifest.get("media", {})
    media_dir = Path(media_dir)
    if media.get("file") and media_dir.is_dir() and any(media_dir.iterdir()) and not force:
        raise BackupError(f"{media_dir} is not empty: refusing to restore media over it (use --force)")
    log(f"restoring {folder / DUMP} into {database}")
    clean = ["--clean", "--if-exists"] if tables else []
    _run(
        ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", *clean,
         "-d", database, str(folder / DUMP)],
        params,
    )  # fmt: skip
    if media.get("file"):
        log(f"restoring media into {media_dir}")
        media_dir.mkdir(parents=True, exist_ok=True)
        with tarfile.open(folder / media["file"]) as tar:
            tar.extractall(media_dir, filter="data")
    elif media.get("skipped"):
        log(f"media not in this backup: {media['skipped']}")
    return params


def check_restored(manifest, media_dir, *, sample=None):
    """Run in a process whose default database is the restored one. Returns a list of mismatches (empty: all
    good): every table's row count, the transition log's chains, the media files' hashes (all, or a random
    sample of ``sample``)."""
    mismatches = []
    expected = manifest["database"]["tables"]
    found = table_counts()
    for table in sorted(set(expected) | set(found)):
        if expected.get(table) != found.get(table):
            mismatches.append(f"table {table}: {found.get(table)} rows, the backup had {expected.get(table)}")
    chain = chain_summary()
    before = manifest.get("transition_log", {})
    if chain["rows"] != before.get("rows"):
        mismatches.append(f"transition log: {chain['rows']} rows, the backup had {before.get('rows')}")
    if chain["problems"] > before.get("problems", 0):
        mismatches.append(
            f"transition log: {chain['problems']} problems (the backup had {before.get('problems', 0)}): "
            + "; ".join(chain["first_problems"][:3])
        )
    media_mismatches, checked = check_media(manifest.get("media", {}).get("hashes", {}), media_dir, sample=sample)
    mismatches += media_mismatches
    return mismatches, {"tables": len(found), "rows": chain["rows"], "media_checked": checked}


def check_media(hashes, media_dir, *, sample=None):
    """Mismatches between {relative path: sha256} and the files under media_dir (all, or a random sample)."""
    mismatches, names = [], sorted(hashes)
    if sample is not None and sample < len(names):
        names = sorted(random.sample(names, sample))
    for name in names:
        path = Path(media_dir) / name
        if not path.is_file():
            mismatches.append(f"media {name}: missing")
        elif sha256_file(path) != hashes[name]:
            mismatches.append(f"media {name}: SHA-256 differs")
    return mismatches, len(names)
