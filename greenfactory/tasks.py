"""Celery discovers the deadline tasks here; they are defined next to the sweeps in greenfactory.sweeps."""

from greenfactory.sweeps import TASKS

globals().update(TASKS)
__all__ = list(TASKS)
