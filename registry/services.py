"""Operations on listed units: removal (第二十一条, 第二十二条, 第二十五条)."""

from django.db import transaction
from django.utils import timezone

from applications import services as dossier_services
from applications.models import ExclusionCondition, ExclusionDeclaration
from applications.models.organisations import BAR_YEARS, years_after


def remove_from_list(dossier, *, ground, reason, by=None, now=None):
    """Remove a listed unit: the transition, then 第十二条第（三）项 for 3 years from the removal date."""
    with transaction.atomic():
        removed = dossier_services.transition(dossier, "remove", by=by, reason=reason, now=now, ground=ground)
        ExclusionDeclaration.objects.create(
            organisation=removed.organisation,
            condition=ExclusionCondition.REMOVED_FROM_LIST,
            applies=True,
            evidence=reason,
            valid_until=years_after(removed.removed_on, BAR_YEARS),
            automatic=True,
            declared_by=by,
            declared_at=now or timezone.now(),
        )
    return removed
