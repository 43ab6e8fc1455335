"""The triennial recheck sweep (第二十一条, 三年一复核)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.notifications import Digest
from applications import services
from applications.deadlines import tell_applicants
from applications.models import Dossier, Path, State
from greenfactory.chunks import claim, in_chunks
from registry.listing import public_list_changed


def open_due_rechecks(now):
    """Open a recheck for every listed unit 3 years after listing or its last recheck; tell the district.

    In chunks that commit as they go; each applicant hears of its own unit, each district gets one digest.
    """
    today = timezone.localdate(now)
    reason = _("Three years since listing or the last recheck (Art. 21)")
    due = Dossier.objects.filter(state=State.LISTED, next_recheck_due__lte=today)
    digest = Digest(title=_("%(district)s: %(n)d triennial rechecks opened (Art. 21)"), url="/rechecks/")

    def open_chunk(pks):
        rows = claim(Dossier.objects.filter(pk__in=pks, state=State.LISTED), of=("self",))
        rows = list(rows.select_related("organisation").order_by("next_recheck_due", "pk"))
        opened, _refused = services.transition_many(rows, "open_recheck", now=now, reason=reason, via=Path.SWEEP)
        news = []
        for dossier in opened:
            title = _("Triennial recheck opened for %(organisation)s (Art. 21)") % {
                "organisation": dossier.organisation
            }
            digest.add(dossier.organisation.district_id, title)
            news.append((dossier, title))
        tell_applicants(news, reason=reason)
        if opened:
            public_list_changed()  # bulk writes send no post_save (registry.listing's cache)
        return [title for _d, title in news]

    changes = in_chunks(due.order_by("next_recheck_due", "pk").values_list("pk", flat=True), open_chunk)
    digest.send()
    return changes


def rectification_due(now):
    """A rectification ordered by a recheck (第二十一条) or a report (第二十五条) reached its deadline: verify it.

    Told once per decision: the district of the unit and the city staff. The keys of all the decisions are
    claimed at once (``claim_keys``, as ``notify_once`` each) and the messages sent in one insert.
    """
    from django.db import transaction

    from accounts.notifications import notify_each
    from greenfactory.chunks import claim_keys
    from registry.models import Recheck, Report

    today = timezone.localdate(now)
    rechecks = list(
        Recheck.objects.filter(decision=Recheck.Proposal.RECTIFY, rectify_by__lt=today).select_related(
            "dossier__organisation"
        )
    )
    reports = list(
        Report.objects.filter(decision=Report.Decision.RECTIFY, rectify_by__lt=today).select_related(
            "organisation", "agency"
        )
    )
    if not rechecks and not reports:
        return []
    changes, items, officers = [], [], {}
    with transaction.atomic():
        keys = [f"rectify-recheck-{r.pk}" for r in rechecks] + [f"rectify-report-{r.pk}" for r in reports]
        claimed = claim_keys(keys)
        if not claimed:
            return []
        city = list(scoping.city_staff())
        for recheck in rechecks:
            if f"rectify-recheck-{recheck.pk}" not in claimed:
                continue
            organisation = recheck.dossier.organisation
            title = _(
                "Rectification deadline %(date)s passed for %(organisation)s: verify the rectification (Art. 21)"
            ) % {"date": recheck.rectify_by, "organisation": organisation}
            if organisation.district_id not in officers:
                officers[organisation.district_id] = list(scoping.district_officers(organisation.district_id))
            recipients = officers[organisation.district_id] + city
            items.append((recipients, title, "", "/rechecks/"))
            if recipients:  # as ``notify_once``: a change only when someone was told
                changes.append(title)
        for report in reports:
            if f"rectify-report-{report.pk}" not in claimed:
                continue
            title = _("Rectification deadline %(date)s passed for %(target)s: verify the rectification (Art. 25)") % {
                "date": report.rectify_by,
                "target": report.organisation or report.agency,
            }
            items.append((city, title, "", f"/city/reports/{report.pk}/"))
            if city:
                changes.append(title)
        transaction.on_commit(lambda: notify_each(items))
    return changes
