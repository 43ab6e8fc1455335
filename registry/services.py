"""Operations on listed units: removal (第二十一条, 第二十二条, 第二十五条)."""

from django.db import transaction
from django.utils import timezone

from applications import services as dossier_services
from applications.models import ExclusionCondition, ExclusionDeclaration, ExclusionSource
from applications.models.dossiers import RemovalGround
from applications.models.organisations import BAR_YEARS, years_after
from registry.listing import public_list_changed
from registry.models import Removal

# 第二十二条: a major accident or a Level II+ environmental incident means immediate removal, notice, report to MIIT.
IMMEDIATE_GROUNDS = {RemovalGround.MAJOR_ACCIDENT, RemovalGround.ENVIRONMENTAL_INCIDENT}


def remove_from_list(dossier, *, ground, reason, by=None, now=None):
    """Remove a listed unit (第二十一条, 第二十二条, 第二十五条).

    The transition, the ranks of the rest of its list closing up (第十七条: ranked, adjusted dynamically),
    and 第十二条第（三）项 for 3 years from the removal date, in one transaction.
    """
    with transaction.atomic():
        old_rank, published_list_id = dossier.rank, dossier.published_list_id
        removed = dossier_services.transition(dossier, "remove", by=by, reason=reason, now=now, ground=ground)
        if old_rank is not None and published_list_id is not None:
            close_up_ranks(published_list_id, after=old_rank, by=by)
        Removal.objects.create(
            dossier=removed,
            ground=ground,
            reason=reason,
            decided_on=removed.removed_on,
            decided_by=by,
            # 第二十二条 (immediate removals) and national units are reported to MIIT.
            reported_to_miit=ground in IMMEDIATE_GROUNDS or removed.level == "national",
        )
        public_list_changed()  # 第二十二条: the removed unit leaves the public list at once
        ExclusionDeclaration.objects.create(
            organisation=removed.organisation,
            condition=ExclusionCondition.REMOVED_FROM_LIST,
            applies=True,
            event_date=removed.removed_on,
            evidence=reason,
            valid_until=years_after(removed.removed_on, BAR_YEARS),
            automatic=True,
            source=ExclusionSource.SYSTEM,
            declared_by=by,
            declared_at=now or timezone.now(),
        )
    return removed


def publish_list(batch, *, title, by, now=None):
    """第十七条: publish the municipal list of a publicity batch once every entry is decided.

    Cleared entries are listed in the batch's order (the review result), ranks 1..n; entries whose
    objection was upheld are left out. Refused while any entry still waits (period or objection).
    """
    from django.utils.translation import gettext as _

    from applications.models import State
    from registry.models import PublishedList

    entries = list(batch.entries.select_related("dossier__organisation").order_by("position"))
    waiting = [
        e for e in entries if e.dossier.state == State.IN_PUBLICITY and e.dossier.cleared_for_publication_at is None
    ]
    if waiting:
        raise dossier_services.TransitionRefused(
            _("Art. 17: %(names)s still wait for the end of publicity or an objection decision.")
            % {"names": "、".join(e.dossier.organisation.name for e in waiting)}
        )
    listable = [e for e in entries if e.dossier.state == State.IN_PUBLICITY]
    if not listable:
        raise dossier_services.TransitionRefused(_("No unit of this publicity can be published."))
    with transaction.atomic():
        published = PublishedList.objects.create(
            year=batch.year, title=title, publicity_batch=batch, published_by=by, published_at=now or timezone.now()
        )
        for rank, entry in enumerate(listable, start=1):
            dossier_services.transition(entry.dossier, "publish", by=by, now=now, rank=rank, published_list=published)
        published.entries = [
            {
                "rank": rank,
                "name": entry.dossier.organisation.name,
                "district": entry.dossier.organisation.district.name,
                "kind_label": str(entry.dossier.get_kind_display()),
            }
            for rank, entry in enumerate(listable, start=1)
        ]
        published.save(update_fields=["entries"])
        public_list_changed()  # the new units appear on the public list at once
    return published


def recommend_to_miit(dossier, *, year, note, by):
    """第十七条: record that a listed green factory is recommended to MIIT (not a state change)."""
    from django.db import IntegrityError
    from django.utils.translation import gettext as _

    from applications.models import Kind, State
    from registry.models import NationalRecommendation

    if dossier.state != State.LISTED or dossier.kind != Kind.FACTORY:
        raise dossier_services.TransitionRefused(_("Only a listed green factory is recommended this way (Art. 17)."))
    try:
        with transaction.atomic():
            return NationalRecommendation.objects.create(dossier=dossier, year=year, note=note, recommended_by=by)
    except IntegrityError:
        raise dossier_services.TransitionRefused(
            _("Already recommended to MIIT for %(year)s.") % {"year": year}
        ) from None


def close_up_ranks(published_list_id, *, after, by=None):
    """Move every unit ranked below ``after`` in the list up by one (each saved, so history keeps it)."""
    from applications.models import Dossier

    below = (
        Dossier.objects.select_for_update().filter(published_list_id=published_list_id, rank__gt=after).order_by("rank")
    )
    for unit in below:
        unit.rank -= 1
        unit._history_user = by
        unit._change_reason = "rank closed up after a removal"
        unit.save(update_fields=["rank", "updated_at"])
