"""The triennial recheck sweep (第二十一条, 三年一复核)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.notifications import notify_once
from applications import services
from applications.models import Dossier, State


def open_due_rechecks(now):
    """Open a recheck for every listed unit 3 years after listing or its last recheck; tell the district."""
    today = timezone.localdate(now)
    changes = []
    due = Dossier.objects.filter(state=State.LISTED, next_recheck_due__lte=today).select_related("organisation")
    for dossier in due.order_by("next_recheck_due", "pk"):
        try:
            services.transition(
                dossier, "open_recheck", now=now, reason=_("Three years since listing or the last recheck (Art. 21)")
            )
        except services.TransitionRefused:
            continue
        title = _("Triennial recheck opened for %(organisation)s (Art. 21)") % {"organisation": dossier.organisation}
        notify_once(
            f"recheck-{dossier.pk}-{today.isoformat()}",
            scoping.district_officers(dossier.organisation.district_id),
            title=title,
        )
        changes.append(title)
    return changes
