"""How a dossier shows in lists: cheap enough for a 50-row page (a filter, not an ``{% include %}`` per row)."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def state_badge(dossier):
    """The dossier's state as a coloured badge (``state-<state>`` in portal.css; ``data-state`` for tests)."""
    badge = '<span class="badge state-badge state-{0}" data-state="{0}">{1}</span>'
    return format_html(badge, dossier.state, dossier.get_state_display())


@register.filter
def next_deadline(dossier):
    """``Dossier.next_deadline`` as the lists show it: the day and, muted, which rule sets it; a dash if none.

    A filter for the same reason as ``state_badge``: the ``{% with %}``/``{% if %}``/``|date`` it replaces
    cost about 2 ms of a 50-row workspace page (issue 13)."""
    deadline = dossier.next_deadline()
    if deadline is None:
        return "—"
    label, day = deadline
    return format_html('{} <span class="text-muted">{}</span>', day.strftime("%Y-%m-%d"), label)
