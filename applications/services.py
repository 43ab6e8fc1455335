"""Operations on dossiers. ``transition`` is the one way a dossier changes state.

Views, deadline tasks, admin actions and the demo seed all call it: it locks the row, re-checks the
state the caller saw, checks the rules, runs the django-fsm method, saves (field history via
django-simple-history), writes one transition-log row and defers notifications to ``on_commit``.
"""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import REASON_REQUIRED, Dossier, State, TransitionLog
from applications.models import guards as g

log = logging.getLogger("greenfactory.transitions")


class TransitionRefused(Exception):
    """A rule (named in the message) or the current state forbids the transition."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class StaleState(TransitionRefused):
    """Someone else changed the dossier's state since the caller loaded it."""


def transition(dossier, name, *, by=None, reason="", now=None, expected_state=None, **params):
    """Run transition ``name`` on ``dossier`` as user ``by`` (None: the system). Returns the saved row.

    ``expected_state`` defaults to the state of the instance the caller holds: if the row in the
    database has moved on since, the call is refused rather than acting on a stale view.
    """
    if name in REASON_REQUIRED and not reason.strip():
        raise TransitionRefused(_("Please give a reason; it is shown to the applicant and the district."))
    expected = expected_state if expected_state is not None else dossier.state
    with transaction.atomic():
        locked = (
            Dossier.objects.select_for_update(of=("self",)).select_related("organisation", "agency").get(pk=dossier.pk)
        )
        if locked.state != expected:
            raise StaleState(
                _("This dossier was changed by someone else (now “%(state)s”); please reload the page and try again.")
                % {"state": locked.get_state_display()}
            )
        locked._clock = now
        refusals = locked.refusals(name)
        if refusals:
            raise TransitionRefused(refusals[0])
        source = locked.state
        getattr(locked, name)(reason=reason, **params)
        locked._history_user = by
        locked._change_reason = f"{name}: {reason}"[:100]
        locked.save()
        entry = TransitionLog.objects.create(
            dossier=locked,
            transition=name,
            from_state=source,
            to_state=locked.state,
            actor=by,
            reason=reason,
            at=now or timezone.now(),
        )
        _after_commit(entry)
    log.info("dossier %s %s: %s -> %s by %s", locked.pk, name, source, locked.state, by or "system")
    return locked


def pool(organisation, kind, cycle_year, *, by=None, reason="", now=None):
    """第八条, 第十三条: put an organisation in its district's cultivation pool for a kind and year."""
    dossier = Dossier(organisation=organisation, kind=kind, cycle_year=cycle_year)
    dossier._clock = now
    if not g.no_exclusion(dossier):
        raise TransitionRefused(g.no_exclusion.refusal(dossier))
    try:
        with transaction.atomic():
            dossier._history_user = by
            dossier._change_reason = "create"
            dossier.save()
            entry = TransitionLog.objects.create(
                dossier=dossier,
                transition="create",
                from_state="",
                to_state=State.POOLED,
                actor=by,
                reason=reason,
                at=now or timezone.now(),
            )
            _after_commit(entry)
    except IntegrityError:
        raise TransitionRefused(
            _("%(organisation)s already has a dossier for this kind in %(year)s.")
            % {"organisation": organisation, "year": cycle_year}
        ) from None
    return dossier


def _after_commit(entry):
    from accounts.notifications import notify_transition

    transaction.on_commit(lambda: notify_transition(entry.pk))


def attach_report(dossier, *, uploaded_file, attested, by=None):
    """第十四条: attach the evaluation report (PDF) and the uploader's truthfulness pledge."""
    from django.core.exceptions import ValidationError

    from applications.uploads import validate_pdf

    if not attested:
        raise ValidationError(_("Art. 14: please attest that the report and materials are true and accurate."))
    validate_pdf(uploaded_file)
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
        if locked.state not in (State.POOLED, State.RETURNED):
            raise TransitionRefused(_("The report can only be changed before submission or after a return."))
        locked.report.save(uploaded_file.name or "report.pdf", uploaded_file, save=False)
        locked.report_attested = True
        locked.report_uploaded_at = timezone.now()
        locked._history_user = by
        locked._change_reason = "report uploaded"
        locked.save()
    return locked
