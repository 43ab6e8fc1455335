"""What a confirmation says before an irreversible step (issue 15): the consequence, and the article it comes from.

``{{ action.name|transition_consequence }}`` for the buttons of the generic transition endpoint on a dossier's page
(the other irreversible buttons carry their message in their own template); static/js/confirm.js shows it in
its dialog.
"""

from django import template
from django.utils.translation import gettext_lazy as _

from applications.models import TRANSITION_LABELS

register = template.Library()

CONSEQUENCES = {
    "return_for_revision": _(
        "Return this dossier to the applicant for revision? The applicant may then change the evaluation and must "
        "submit it again (Art. 14) before the recommendation deadline of 30 May (Art. 15)."
    ),
    "open_review": _(
        "Open the expert review of this dossier? It leaves the municipal project library for review by experts "
        "and cannot be put back (Art. 17)."
    ),
    "not_select": _(
        "Record this dossier as not selected? Its application for this year ends as not passed; this cannot be "
        "undone (Art. 17)."
    ),
    "open_recheck": _(
        "Open the triennial recheck of this unit? The district then records its recheck and the city decides "
        "whether the unit stays on the list (Art. 21)."
    ),
    "withdraw": _(
        "Withdraw this application? The dossier is closed as withdrawn and cannot be resumed; the evaluation "
        "submitted so far is kept in the record."
    ),
}


@register.filter
def transition_consequence(name):
    """The confirmation for transition ``name``; for any other, its label as a question."""
    if name in CONSEQUENCES:
        return CONSEQUENCES[name]
    return _("%(action)s? This cannot be undone.") % {"action": TRANSITION_LABELS.get(name, name)}
