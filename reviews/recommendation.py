"""第十五条: the district checks submitted dossiers and sends its recommendation list to the city by 30 May."""

from django.db import transaction
from django.utils import timezone

from applications.models import Dossier, State


def mark_ready(dossier, *, by, now=None):
    """The district has checked a submitted dossier and will put it in its recommendation list."""
    from django.utils.translation import gettext as _

    from applications.services import TransitionRefused

    with transaction.atomic():
        locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
        if locked.state != State.SUBMITTED:
            raise TransitionRefused(_("Only a submitted dossier can be marked as checked."))
        locked.district_ready_at, locked.district_ready_by = now or timezone.now(), by
        locked._history_user = by
        locked._change_reason = "checked by district"
        locked.save()
    return locked


def recommend_batch(*, district, cycle_year, dossiers, by, note="", now=None):
    """第十五条: send the district's recommendation list to the city; every dossier or none.

    Refused after 30 May 23:59 Asia/Shanghai with the rule's message, before anything is written.
    """
    from django.utils.translation import gettext as _

    from applications import services as dossier_services
    from applications.models import guards
    from reviews.models import RecommendationBatch

    probe = Dossier(cycle_year=cycle_year)
    probe._clock = now
    if not guards.before_recommendation_deadline(probe):
        raise dossier_services.TransitionRefused(guards.before_recommendation_deadline.refusal(probe))
    dossiers = list(dossiers)
    if not dossiers:
        raise dossier_services.TransitionRefused(_("Choose at least one dossier to recommend."))
    with transaction.atomic():
        batch = RecommendationBatch.objects.create(
            district=district, cycle_year=cycle_year, submitted_by=by, note=note, submitted_at=now or timezone.now()
        )
        for dossier in dossiers:
            if dossier.organisation.district_id != district.pk or dossier.cycle_year != cycle_year:
                raise dossier_services.TransitionRefused(
                    _("%(organisation)s is not a dossier of this district and year.")
                    % {"organisation": dossier.organisation}
                )
            try:
                dossier_services.transition(dossier, "recommend", by=by, now=now, reason=note, batch=batch)
            except dossier_services.TransitionRefused as refused:
                raise dossier_services.TransitionRefused(f"{dossier.organisation.name}：{refused.message}") from None
    return batch
