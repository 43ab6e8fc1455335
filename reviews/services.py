"""Municipal review operations (第十六条, 第十七条)."""

from django.db import transaction
from django.utils import timezone

from applications.models import Dossier, State


def clear_for_publication(dossier, *, now=None, by=None):
    """第十七条: mark a dossier whose publicity ended without a pending objection as publishable.

    The row is locked and re-read: a second call, or a second worker, changes nothing.
    Returns True when this call cleared it.
    """
    with transaction.atomic():
        locked = (
            Dossier.objects.select_for_update()
            .filter(pk=dossier.pk, state=State.IN_PUBLICITY, cleared_for_publication_at__isnull=True)
            .first()
        )
        if locked is None:
            return False
        locked.cleared_for_publication_at = now or timezone.now()
        locked._history_user = by
        locked._change_reason = "publicity ended without objection"
        locked.save()
        return True
