"""How fast this shared machine is at the moment: a fixed pure-Python workload, timed.

Printed beside every benchmark's results. The machines are shared and their speed drifts (the same commit's
admin changelist took 241 ms one day and 369 ms another), so absolute figures from different runs are compared
through this number: a run with a check twice as long ran on a machine about twice as slow.
"""

import hashlib
import statistics
import time

ROWS = 200_000


def _work():
    rows = [f"{i:07d}" for i in range(ROWS)]
    rows.sort(key=lambda row: hashlib.blake2b(row.encode(), digest_size=8).digest())
    return len(rows)


def cpu_check_ms(rounds=5):
    """The median time of ``rounds`` runs of the workload, in milliseconds (lower is faster)."""
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        _work()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def describe(milliseconds):
    return f"{milliseconds:,.0f} ms (`bench/cpu_check.py`: a fixed pure-Python workload; lower is faster)"


if __name__ == "__main__":
    print(describe(cpu_check_ms()))
