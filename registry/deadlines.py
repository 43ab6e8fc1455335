"""The triennial recheck sweep (第二十一条, 三年一复核)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.notifications import notify_once
from applications import services
from applications.models import Dossier, Path, State


def open_due_rechecks(now):
    """Open a recheck for every listed unit 3 years after listing or its last recheck; tell the district."""
    today = timezone.localdate(now)
    changes = []
    due = Dossier.objects.filter(state=State.LISTED, next_recheck_due__lte=today).select_related("organisation")
    for dossier in due.order_by("next_recheck_due", "pk"):
        try:
            services.transition(
                dossier,
                "open_recheck",
                now=now,
                reason=_("Three years since listing or the last recheck (Art. 21)"),
                via=Path.SWEEP,
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
