"""The publicity sweep (第十七条): clear dossiers whose 5 working days are over without objection."""

import logging

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.notifications import notify_once
from applications.models import Dossier, State
from greenfactory.chunks import claim, in_chunks
from reviews.models import Objection
from reviews.publicity import clear_many_for_publication
from workdays.services import ScheduleNotLoaded, is_working_day

log = logging.getLogger("greenfactory.deadlines")


def clear_ended_publicity(now):
    """Each working day: publicity over (its last day before today), no pending or upheld objection.

    In chunks that commit as they go; each chunk claims its rows (re-checked under the lock, objections
    included) and clears them at once (``clear_many_for_publication``, as ``clear_for_publication`` each).
    """
    today = timezone.localdate(now)
    try:
        working = is_working_day(today)
    except ScheduleNotLoaded as missing:
        # Never guess whether today is a working day: skip, and tell city staff once per year to load it.
        log.warning("clear_ended_publicity skipped on %s: %s", today.isoformat(), missing.message)
        notify_once(
            f"schedule-not-loaded-{today.year}",
            scoping.city_staff(),
            title=missing.message,
            url=reverse("calendar"),
        )
        return []
    if not working:
        return []
    blocking = Objection.objects.filter(
        dossier=OuterRef("pk"), status__in=[Objection.Status.PENDING, Objection.Status.UPHELD]
    )
    candidates = Dossier.objects.filter(
        state=State.IN_PUBLICITY, publicity_ends_on__lt=today, cleared_for_publication_at__isnull=True
    ).exclude(Exists(blocking))

    def clear_chunk(pks):
        rows = claim(candidates.filter(pk__in=pks), of=("self",)).select_related("organisation").order_by("pk")
        return clear_many_for_publication(list(rows), now=now)

    cleared = in_chunks(candidates.order_by("pk").values_list("pk", flat=True), clear_chunk)
    changes = [
        _("%(organisation)s: publicity ended, cleared for publication") % {"organisation": d.organisation}
        for d in cleared
    ]
    if changes:
        notify_once(
            f"publicity-cleared-{today.isoformat()}-{cleared[0].pk}",
            scoping.city_staff(),
            title=_("%(n)d dossiers finished their publicity and can be published (Art. 17)") % {"n": len(changes)},
            body="\n".join(changes),
        )
    return changes
