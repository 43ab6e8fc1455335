"""Operations on dossiers. ``transition`` is the one way a dossier changes state.

Views, deadline tasks, admin actions and the demo seed all call it: it locks the row, re-checks the
state the caller saw, checks the rules, runs the django-fsm method, saves (field history via
django-simple-history), writes one transition-log row and defers notifications to ``on_commit``.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import (
    ELIGIBILITY_CRITERIA,
    REASON_REQUIRED,
    Dossier,
    EligibilityDeclaration,
    EvaluationMode,
    ExclusionCondition,
    ExclusionDeclaration,
    Organisation,
    PoolRequest,
    SelfEvaluation,
    State,
    TransitionLog,
)
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


def _refuse_unless(guard, dossier):
    if not guard(dossier):
        raise TransitionRefused(guard.refusal(dossier))


EDITABLE_STATES = (State.POOLED, State.RETURNED)


def attach_report(dossier, *, uploaded_file, attested, by=None, now=None):
    """第十四条: attach the evaluation report (PDF) with the uploader's truthfulness pledge.

    For a commissioned dossier the agency's standing is checked first: a barred agency's reports are
    refused (第二十五条), and so is a 16th unit in a year (第二十四条).
    """
    from applications.uploads import validate_pdf

    if not attested:
        raise ValidationError(_("Art. 14: please attest that the report and materials are true and accurate."))
    validate_pdf(uploaded_file)
    with transaction.atomic():
        locked = Dossier.objects.select_for_update(of=("self",)).select_related("agency").get(pk=dossier.pk)
        locked._clock = now
        if locked.state not in EDITABLE_STATES:
            raise TransitionRefused(_("The report can only be changed before submission or after a return."))
        if locked.agency_id:
            _refuse_unless(g.agency_not_barred, locked)
            _refuse_unless(g.agency_within_quota, locked)
        locked.report.save(uploaded_file.name or "report.pdf", uploaded_file, save=False)
        locked.report_attested = True
        locked.report_uploaded_at = now or timezone.now()
        locked._history_user = by
        locked._change_reason = "report uploaded"
        locked.save()
    return locked


def save_self_evaluation(dossier, *, values, by, evidence_file=None, report_file=None, now=None):
    """Save the applicant's draft (nothing is declared yet). Returns the SelfEvaluation.

    ``values`` holds the SelfEvaluation fields plus ``evaluation_mode`` and ``agency`` of the dossier.
    One transaction: the draft, the dossier's evaluation choice and an uploaded report land together.
    """
    with transaction.atomic():
        locked = Dossier.objects.select_for_update(of=("self",)).get(pk=dossier.pk)
        if locked.state not in EDITABLE_STATES:
            raise TransitionRefused(_("The self-evaluation can only be edited before submission or after a return."))
        mode = values.pop("evaluation_mode", locked.evaluation_mode)
        agency = values.pop("agency", None) if mode == EvaluationMode.AGENCY else None
        if (mode, getattr(agency, "pk", None)) != (locked.evaluation_mode, locked.agency_id):
            locked.evaluation_mode, locked.agency = mode, agency
            locked._history_user = by
            locked._change_reason = "evaluation mode"
            locked.save()
        evaluation, _created = SelfEvaluation.objects.select_for_update().get_or_create(dossier=locked)
        for field, value in values.items():
            setattr(evaluation, field, value)
        if evidence_file is not None:
            evaluation.evidence_file.save(evidence_file.name or "evidence.pdf", evidence_file, save=False)
        evaluation.updated_by = by
        evaluation._history_user = by
        evaluation.save()
        if report_file is not None:
            attach_report(locked, uploaded_file=report_file, attested=evaluation.pledge, by=by, now=now)
    return evaluation


def submit_self_evaluation(dossier, *, by, now=None):
    """第九条-第十四条: declare the draft's answers (append-only rows) and submit, all or nothing."""
    with transaction.atomic():
        evaluation = SelfEvaluation.objects.filter(dossier=dossier).first()
        if evaluation is None or not evaluation.pledge:
            raise TransitionRefused(_("Art. 14: please attest that the report and materials are true and accurate."))
        organisation, at = dossier.organisation, now or timezone.now()
        for criterion in ELIGIBILITY_CRITERIA[dossier.kind]:
            answer = evaluation.eligibility_answers.get(criterion.value)
            if answer is not None:
                EligibilityDeclaration.objects.create(
                    organisation=organisation,
                    kind=dossier.kind,
                    criterion=criterion,
                    satisfied=answer["met"],
                    evidence=answer.get("evidence", ""),
                    declared_by=by,
                    declared_at=at,
                )
        for condition in ExclusionCondition:
            answer = evaluation.exclusion_answers.get(str(condition.value))
            if answer is not None:
                ExclusionDeclaration.objects.create(
                    organisation=organisation,
                    condition=condition,
                    applies=answer["applies"],
                    evidence=answer.get("evidence", ""),
                    declared_by=by,
                    declared_at=at,
                )
        return transition(dossier, "submit", by=by, now=now, reason=_("Self-evaluation submitted"))


def request_pool(organisation, *, kind, cycle_year, by, note=""):
    """An applicant asks its district to add it to the cultivation pool (第八条)."""
    if Dossier.objects.filter(organisation=organisation, kind=kind, cycle_year=cycle_year).exists():
        raise TransitionRefused(
            _("%(organisation)s already has a dossier for this kind in %(year)s.")
            % {"organisation": organisation, "year": cycle_year}
        )
    try:
        with transaction.atomic():
            return PoolRequest.objects.create(
                organisation=organisation, kind=kind, cycle_year=cycle_year, note=note, requested_by=by
            )
    except IntegrityError:
        raise TransitionRefused(_("A request for this kind and year is already waiting for the district.")) from None


def decide_pool_request(pool_request, *, accept, by, note=""):
    """The district accepts (the dossier is pooled) or declines, with a reply, an applicant's request."""
    from accounts.notifications import notify

    with transaction.atomic():
        locked = PoolRequest.objects.select_for_update().get(pk=pool_request.pk)
        if locked.status != PoolRequest.Status.PENDING:
            raise TransitionRefused(_("This request has already been decided."))
        if accept:
            locked.dossier = pool(locked.organisation, locked.kind, locked.cycle_year, by=by, reason=note)
            locked.status = PoolRequest.Status.ACCEPTED
        else:
            if not note.strip():
                raise TransitionRefused(_("Please give a reason; it is shown to the applicant and the district."))
            locked.status = PoolRequest.Status.DECLINED
        locked.decided_by, locked.decided_at, locked.decision_note = by, timezone.now(), note
        locked.save()
        recipients = locked.organisation.users.filter(is_active=True)
        title = _("Your request to join the cultivation pool (%(kind)s, %(year)s): %(status)s") % {
            "kind": locked.get_kind_display(),
            "year": locked.cycle_year,
            "status": locked.get_status_display(),
        }
        transaction.on_commit(lambda: notify(recipients, title=title, body=note))
    return locked


class BulkRow:
    """The result of one row of a bulk pooling sheet."""

    def __init__(self, line, code, name, ok, message, dossier=None):
        self.line, self.code, self.name, self.ok, self.message, self.dossier = line, code, name, ok, message, dossier


def bulk_pool(rows, *, district, kind, cycle_year, by):
    """Pool each (credit code, name) row for ``district``; each row stands alone and reports its result.

    A row's organisation is found by its credit code; an unknown code with a name creates the
    organisation in ``district``. Rows of another district, excluded units (第十二条) and duplicates
    are reported, not pooled.
    """
    from applications.credit_code import normalise, validate_credit_code

    results = []
    for line, raw_code, raw_name in rows:
        code, name = normalise(raw_code or ""), (raw_name or "").strip()
        try:
            validate_credit_code(code)
        except ValidationError as invalid:
            results.append(BulkRow(line, raw_code, name, False, invalid.messages[0]))
            continue
        organisation = Organisation.objects.filter(credit_code=code).first()
        if organisation is None and not name:
            results.append(
                BulkRow(line, code, name, False, _("Unknown unit: add its name in column B to register it."))
            )
            continue
        if organisation is not None and organisation.district_id != district.pk:
            message = _("This unit belongs to %(district)s.") % {"district": organisation.district}
            results.append(BulkRow(line, code, organisation.name, False, message))
            continue
        try:
            with transaction.atomic():
                if organisation is None:
                    organisation = Organisation.objects.create(credit_code=code, name=name, district=district)
                dossier = pool(organisation, kind, cycle_year, by=by, reason=_("Bulk import"))
        except TransitionRefused as refused:
            results.append(BulkRow(line, code, organisation.name if organisation else name, False, refused.message))
            organisation = None
            continue
        results.append(BulkRow(line, code, organisation.name, True, _("Added to the pool"), dossier))
    return results
