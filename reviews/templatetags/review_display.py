"""How the review board shows a dossier's experts (第十七条), as ``dossier_display`` shows a dossier's state."""

from django import template
from django.core.exceptions import ObjectDoesNotExist
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()


@register.filter
def expert_progress(assignments):
    """The experts assigned to a dossier under review and where each stands: a declared conflict of interest,
    final scores (with the declaration of no conflict, or flagged without it), a draft, or nothing yet.

    A filter rather than template tags: the board shows 50 dossiers of 3–5 experts each, and the template's
    per-expert branches were most of its rendering time (issue 13)."""
    if not assignments:
        return gettext("no expert yet")
    parts = []
    for assignment in assignments:
        try:
            review = assignment.review
        except ObjectDoesNotExist:
            review = None
        if assignment.conflict_declared:
            mark = format_html("（{}）", gettext("conflict"))
        elif review is not None and review.finalised_at:
            if review.no_conflict_declared_at:
                mark = format_html(
                    ' ✓<span class="visually-hidden">{}</span>',
                    gettext("final scores, no conflict of interest declared"),
                )
            else:
                mark = format_html(
                    ' ✓<span class="text-danger" data-testid="no-declaration">（{}）</span>',
                    gettext("no conflict-of-interest declaration"),
                )
        elif review is not None:
            mark = format_html("（{}）", gettext("draft"))
        else:
            mark = ""
        parts.append(format_html("{}{}", assignment.expert, mark))
    return mark_safe("、".join(parts))  # each part escaped by format_html
