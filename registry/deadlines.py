"""The triennial recheck sweep (第二十一条, 三年一复核)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.notifications import Digest, notify_once
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

    Told once per decision: the district of the unit and the city staff.
    """
    from registry.models import Recheck, Report

    today = timezone.localdate(now)
    changes = []
    for recheck in Recheck.objects.filter(decision=Recheck.Proposal.RECTIFY, rectify_by__lt=today).select_related(
        "dossier__organisation"
    ):
        organisation = recheck.dossier.organisation
        title = _("Rectification deadline %(date)s passed for %(organisation)s: verify the rectification (Art. 21)") % {
            "date": recheck.rectify_by,
            "organisation": organisation,
        }
        recipients = list(scoping.district_officers(organisation.district_id)) + list(scoping.city_staff())
        if notify_once(f"rectify-recheck-{recheck.pk}", recipients, title=title, url="/rechecks/"):
            changes.append(title)
    for report in Report.objects.filter(decision=Report.Decision.RECTIFY, rectify_by__lt=today).select_related(
        "organisation", "agency"
    ):
        title = _("Rectification deadline %(date)s passed for %(target)s: verify the rectification (Art. 25)") % {
            "date": report.rectify_by,
            "target": report.organisation or report.agency,
        }
        if notify_once(
            f"rectify-report-{report.pk}", scoping.city_staff(), title=title, url=f"/city/reports/{report.pk}/"
        ):
            changes.append(title)
    return changes
