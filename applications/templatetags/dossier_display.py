"""How a dossier shows in lists: cheap enough for a 50-row page (a filter, not an ``{% include %}`` per row)."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def state_badge(dossier):
    """The dossier's state as a coloured badge (``state-<state>`` in portal.css; ``data-state`` for tests)."""
    badge = '<span class="badge state-badge state-{0}" data-state="{0}">{1}</span>'
    return format_html(badge, dossier.state, dossier.get_state_display())
