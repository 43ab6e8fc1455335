"""第二十一条 (三年一复核): the district's recheck findings and proposal, and the city's decision."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.notifications import notify
from applications import services as dossier_services
from applications.models import Dossier, RemovalGround, State
from applications.services import TransitionRefused
from registry.models import Recheck
from registry.services import remove_from_list


def recheck_of(dossier, now=None):
    """The open recheck of a dossier under recheck (created on first need)."""
    year = timezone.localdate(now).year
    recheck = Recheck.objects.filter(dossier=dossier, decided_at__isnull=True).first()
    return recheck or Recheck.objects.create(dossier=dossier, year=year, opened_at=now or timezone.now())


def propose_recheck(recheck, *, findings, proposal, evidence=None, by):
    if Dossier.objects.get(pk=recheck.dossier_id).state != State.RECHECKING or recheck.decided_at:
        raise TransitionRefused(_("This recheck is not open."))
    if not findings.strip():
        raise TransitionRefused(_("Please record the findings of the recheck."))
    with transaction.atomic():
        recheck.findings, recheck.proposal = findings, proposal
        recheck.proposed_by, recheck.proposed_at = by, timezone.now()
        if evidence:
            recheck.evidence.save(evidence.name, evidence, save=False)
        recheck._history_user = by
        recheck.save()
        staff = list(scoping.city_staff())
        title = _("Recheck of %(organisation)s: %(proposal)s proposed") % {
            "organisation": recheck.dossier.organisation,
            "proposal": recheck.get_proposal_display(),
        }
        transaction.on_commit(
            lambda: notify(staff, title=title, url="/rechecks/", dossier=recheck.dossier_id, needs_action=True)
        )
    return recheck


def decide_recheck(recheck, *, decision, note, by, rectify_by=None, ground=RemovalGround.EXCLUSION_CONDITION):
    """The city decides: keep (listed again, next recheck in 3 years), rectify (kept, with a deadline) or remove."""
    if not recheck.proposal:
        raise TransitionRefused(_("The district has not proposed an outcome yet."))
    if decision == Recheck.Proposal.RECTIFY and rectify_by is None:
        raise TransitionRefused(_("Give the rectification deadline."))
    with transaction.atomic():
        recheck.dossier = Dossier.objects.get(pk=recheck.dossier_id)  # act on the state as it is now
        recheck.decision, recheck.decision_note, recheck.rectify_by = decision, note, rectify_by
        recheck.decided_by, recheck.decided_at = by, timezone.now()
        recheck._history_user = by
        recheck.save()
        if decision == Recheck.Proposal.REMOVE:
            remove_from_list(recheck.dossier, ground=ground, reason=note or recheck.findings, by=by)
        else:
            dossier_services.transition(recheck.dossier, "keep_after_recheck", by=by, reason=note or recheck.findings)
    return recheck
