"""Recording each sweep run (``greenfactory.sweeps.run_sweep``) as a ``SweepRun`` row for the metrics."""

import logging
from contextlib import contextmanager
from types import SimpleNamespace

from django.db import transaction
from django.utils import timezone

log = logging.getLogger("greenfactory.deadlines")


@contextmanager
def sweep_recorded(name, as_of):
    """Wraps one run; the body sets ``outcome.changes``. The row is written when the run ends (success or
    error) in its own savepoint, so a failure to record never breaks the caller's transaction."""
    outcome = SimpleNamespace(changes=None, started_at=timezone.now())
    try:
        yield outcome
    except Exception as exc:
        _record(name, as_of, outcome, ok=False, error=f"{type(exc).__name__}: {exc}"[:4000])
        raise
    _record(name, as_of, outcome, ok=True, error="")


def _record(name, as_of, outcome, *, ok, error):
    from operations.models import SweepRun

    try:
        with transaction.atomic():
            SweepRun.objects.create(
                name=name,
                as_of=as_of,
                started_at=outcome.started_at,
                finished_at=timezone.now(),
                changes=outcome.changes,
                ok=ok,
                error=error,
            )
    except Exception:
        log.warning("could not record the run of sweep %s", name, exc_info=True)
