"""第十七条: the 5-working-day publicity of the selected green factories, and its clearing."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import services as dossier_services
from applications.models import Dossier, State
from applications.services import TransitionRefused
from reviews.expert_review import manual_reason_for
from reviews.models import PublicityBatch, PublicityEntry
from workdays.services import ScheduleNotLoaded, add_working_days

PUBLICITY_WORKING_DAYS = 5  # 第十七条
CLEARED_REASON = "publicity ended without objection"


def create_publicity_batch(*, year, title, starts_on, picks, contact, by, now=None):
    """Put the picked green factories in publicity for 5 working days counting ``starts_on``.

    ``picks`` is [(dossier, aggregate, note)] in the order of the notice; a dossier picked outside the
    ranking order carries its recorded reason. All or nothing.
    """
    if not picks:
        raise TransitionRefused(_("Choose at least one green factory for the publicity."))
    try:
        ends_on = add_working_days(starts_on, PUBLICITY_WORKING_DAYS)
    except ScheduleNotLoaded as missing:  # 第十七条: never count a year whose official schedule is not loaded
        raise TransitionRefused(missing.message) from None
    with transaction.atomic():
        batch = PublicityBatch.objects.create(
            year=year,
            title=title,
            starts_on=starts_on,
            ends_on=ends_on,
            contact=contact,
            created_by=by,
            created_at=now or timezone.now(),
        )
        for position, (dossier, score, note) in enumerate(picks, start=1):
            try:
                dossier_services.transition(
                    dossier,
                    "select_for_publicity",
                    by=by,
                    now=now,
                    reason=note,
                    publicity_ends_on=ends_on,
                    manual_reason=manual_reason_for(dossier, note),
                )
            except TransitionRefused as refused:
                raise TransitionRefused(f"{dossier.organisation.name}：{refused.message}") from None
            PublicityEntry.objects.create(
                batch=batch, dossier=dossier, position=position, aggregate=score, selection_note=note
            )
    return batch


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
        locked._change_reason = CLEARED_REASON
        locked.save()
        return True


def clear_many_for_publication(dossiers, *, now=None):
    """``clear_for_publication`` for a sweep's chunk that the caller has claimed (locked) and re-read in its
    transaction: one UPDATE of the rows still in publicity and not yet cleared, one history row each (same
    change reason, no user). Returns the dossiers this call cleared."""
    cleared = [d for d in dossiers if d.state == State.IN_PUBLICITY and d.cleared_for_publication_at is None]
    if not cleared:
        return []
    at, stamp = now or timezone.now(), timezone.now()
    with transaction.atomic():
        Dossier.objects.filter(
            pk__in=[d.pk for d in cleared], state=State.IN_PUBLICITY, cleared_for_publication_at__isnull=True
        ).update(cleared_for_publication_at=at, updated_at=stamp)
        for dossier in cleared:
            dossier.cleared_for_publication_at, dossier.updated_at = at, stamp
            dossier._history_user = None
            dossier._change_reason = CLEARED_REASON
        Dossier.history.bulk_history_create(cleared, update=True, batch_size=500)
    return cleared
