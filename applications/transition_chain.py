"""The transition log as a hash chain, one chain per dossier (issue 14: nothing silently changed).

Each log row stores ``prev_hash`` (the hash of the dossier's previous row, or ``GENESIS`` for its first) and
``row_hash``, the SHA-256 of ``prev_hash`` and the row's own content. A row changed after it was written no longer
matches its hash; a row deleted from the middle leaves the next row pointing at a hash that is not there; a row
inserted by hand (raw SQL, a restored dump) carries no valid link; and the dossier's state must equal the target
of its last row, so a state changed behind the log shows too. ``verify`` checks all of this
(``manage.py verify_audit``, and the daily sweep ``verify_audit`` that tells the city).

Every path that writes log rows goes through ``link``: ``TransitionLog.save`` and the log's ``bulk_create`` call
it, ``seed_scale`` calls it for its ``executemany``. The dossier's row lock (``services.transition``, the sweeps'
``SKIP LOCKED`` chunks) keeps two writers from linking to the same head.
"""

import datetime
import hashlib
from dataclasses import dataclass

from django.db.models import F

GENESIS = "0" * 64
SEPARATOR = "\x1f"  # a control character no field holds: "a|b" + "c" cannot pass for "a" + "b|c"
HASHED = ("prev_hash", "dossier_id", "transition", "from_state", "to_state", "actor_id", "reason", "at")
FIELDS = (
    "pk",
    "dossier_id",
    "transition",
    "from_state",
    "to_state",
    "actor_id",
    "reason",
    "at",
    "prev_hash",
    "row_hash",
)


def canonical_time(at):
    """UTC with microseconds: what both SQLite and PostgreSQL store and give back unchanged."""
    return at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(prev_hash, dossier_id, transition, from_state, to_state, actor_id, reason, at):
    parts = (
        prev_hash,
        str(dossier_id),
        transition,
        from_state or "",
        to_state,
        "" if actor_id is None else str(actor_id),
        reason or "",
        canonical_time(at),
    )
    return hashlib.sha256(SEPARATOR.join(parts).encode("utf-8")).hexdigest()


def _get(entry, name):
    return entry.get(name) if isinstance(entry, dict) else getattr(entry, name)


def _set(entry, name, value):
    if isinstance(entry, dict):
        entry[name] = value
    else:
        setattr(entry, name, value)


def hash_of(entry):
    """The hash ``entry`` should carry: a log row (saved or not), an object with the same attributes, or a dict
    of column values (``applications.bulk.insert``)."""
    return entry_hash(*(_get(entry, name) for name in HASHED))


def heads(dossier_ids):
    """{dossier id: hash of its last log row} for the dossiers that have rows (two queries per 500 dossiers)."""
    from django.db.models import Max

    from applications.models import TransitionLog

    ids = sorted(set(dossier_ids))
    found = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        last = (
            TransitionLog._base_manager.filter(dossier_id__in=chunk)
            .values("dossier_id")
            .annotate(last=Max("pk"))
            .values_list("last", flat=True)
        )
        found.update(TransitionLog._base_manager.filter(pk__in=list(last)).values_list("dossier_id", "row_hash"))
    return found


def link(entries, known_heads=None):
    """Fill ``prev_hash`` and ``row_hash`` of unsaved ``entries`` (in the order they will be inserted; objects
    or dicts of column values).

    ``known_heads``: the heads when the caller knows them (``{}`` for dossiers that have no rows yet, as in
    ``seed_scale``); otherwise they are read from the database.
    """
    entries = list(entries)
    if not entries:
        return entries
    ids = [_get(e, "dossier_id") for e in entries]
    current = dict(known_heads) if known_heads is not None else heads(ids)
    for entry, dossier_id in zip(entries, ids, strict=True):
        _set(entry, "prev_hash", current.get(dossier_id, GENESIS))
        _set(entry, "row_hash", hash_of(entry))
        current[dossier_id] = _get(entry, "row_hash")
    return entries


@dataclass(frozen=True)
class Problem:
    dossier_id: int
    log_id: int | None
    kind: str  # "changed", "broken", "state", "missing", "copy"
    detail: str

    def __str__(self):
        where = f"dossier {self.dossier_id}" + (f", log row {self.log_id}" if self.log_id else "")
        return f"{where}: {self.detail}"


def verify(*, chunk_size=5000, limit=None):
    """Check every dossier's chain and that its state is its last row's target. Returns ``(rows, problems)``.

    Reads the log once, ordered by dossier and insertion, as plain values (one server-side cursor on
    PostgreSQL); memory holds the dossiers' states, not the log. ``limit`` stops after that many problems.
    """
    from applications.models import AnnualReport, Dossier, TransitionLog

    states = dict(Dossier._base_manager.values_list("pk", "state").iterator(chunk_size=chunk_size))
    problems, seen, rows = [], set(), 0
    current, previous, last_target, last_row = None, GENESIS, None, None

    def close(dossier_id, last_target, last_row):
        state = states.get(dossier_id)
        if state is not None and state != last_target:
            problems.append(
                Problem(
                    dossier_id,
                    last_row,
                    "state",
                    f"the dossier is “{state}” but its last log row moved it to “{last_target}”: "
                    "its state was changed without a log row, or its last row was deleted",
                )
            )

    values = TransitionLog._base_manager.order_by("dossier_id", "pk").values_list(*FIELDS)
    for row in values.iterator(chunk_size=chunk_size):
        pk, dossier_id, transition, from_state, to_state, actor_id, reason, at, prev_hash, row_hash = row
        rows += 1
        if dossier_id != current:
            if current is not None:
                close(current, last_target, last_row)
            current, previous = dossier_id, GENESIS
            seen.add(dossier_id)
        if prev_hash != previous:
            problems.append(
                Problem(
                    dossier_id,
                    pk,
                    "broken",
                    "the chain is broken before this row: a row was deleted, or this one was inserted outside "
                    "the application",
                )
            )
        expected = entry_hash(prev_hash, dossier_id, transition, from_state, to_state, actor_id, reason, at)
        if row_hash != expected:
            problems.append(Problem(dossier_id, pk, "changed", "this row was changed after it was written"))
        previous, last_target, last_row = row_hash, to_state, pk
        if limit is not None and len(problems) >= limit:
            return rows, problems
    if current is not None:
        close(current, last_target, last_row)
    for dossier_id in sorted(set(states) - seen):
        problems.append(Problem(dossier_id, None, "missing", "the dossier has no log row at all"))
        if limit is not None and len(problems) >= limit:
            return rows, problems
    # The dossier's copies of its organisation's name and district (``Dossier.organisation_name``): the district
    # officers' scope reads the copy, so one out of step is reported like a changed row.
    out_of_step = Dossier._base_manager.exclude(
        organisation_name=F("organisation__name"), district_id=F("organisation__district_id")
    ).order_by("pk")
    for dossier_id in out_of_step.values_list("pk", flat=True)[: limit - len(problems) if limit else None]:
        problems.append(
            Problem(
                dossier_id,
                None,
                "copy",
                "the dossier's copy of its organisation's name or district differs from the organisation "
                "(changed outside the application)",
            )
        )
    # and the annual forms' copy of the name (``AnnualReport.organisation_name``), which the year's list sorts by
    forms_out_of_step = (
        AnnualReport._base_manager.exclude(organisation_name=F("dossier__organisation_name"))
        .order_by("dossier_id")
        .values_list("dossier_id", flat=True)
        .distinct()
    )
    for dossier_id in forms_out_of_step[: limit - len(problems) if limit else None]:
        problems.append(
            Problem(
                dossier_id,
                None,
                "copy",
                "an annual form's copy of its organisation's name differs from the dossier's "
                "(changed outside the application)",
            )
        )
    return rows, problems
