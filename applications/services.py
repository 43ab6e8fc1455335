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
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from applications.models import (
    AFTER_RECOMMENDATION,
    EDITABLE_STATES,
    ELIGIBILITY_CRITERIA,
    REASON_REQUIRED,
    SYSTEM_ONLY,
    TRANSITION_LABELS,
    TRANSITION_PATHS,
    Agency,
    AgencyEvaluation,
    AgencyFlag,
    Dossier,
    EligibilityDeclaration,
    EvaluationMode,
    ExclusionCondition,
    ExclusionDeclaration,
    ExclusionSource,
    Organisation,
    Path,
    PoolRequest,
    ReportVersion,
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


def transition(
    dossier, name, *, by=None, reason="", now=None, expected_state=None, via=Path.SERVICE, notify=True, **params
):
    """Run transition ``name`` on ``dossier`` as user ``by`` (None: the system). Returns the saved row.

    ``via`` names the path that asks (``Path``): a transition runs only on the paths of
    ``TRANSITION_PATHS``, and a system-only one (``lapse``) never for a person, superusers included.
    ``expected_state`` defaults to the state of the instance the caller holds: if the row in the
    database has moved on since, the call is refused rather than acting on a stale view.
    ``notify=False`` writes the same log row and history but leaves the news to the caller: a sweep
    sends each district one digest per run instead of a notification per dossier (``accounts.
    notifications.Digest``); ``applications.signals`` skips such a row.
    """
    if name not in TRANSITION_PATHS:
        raise TransitionRefused(_("Unknown action."))
    if via not in TRANSITION_PATHS[name] or (name in SYSTEM_ONLY and by is not None):
        raise TransitionRefused(
            _("“%(action)s” is not done from here: it has its own screen or is done by the system.")
            % {"action": TRANSITION_LABELS[name]}
        )
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
        if locked.agency_id:
            # 第二十四条: the agency's yearly count is read and extended under its lock, one submission at a time.
            Agency.objects.select_for_update().filter(pk=locked.agency_id).first()
        locked._clock = now
        refusals = locked.refusals(name, reason=reason, **params)
        if refusals:
            raise TransitionRefused(refusals[0])
        source = locked.state
        try:
            getattr(locked, name)(reason=reason, **params)
        except (TypeError, TransitionNotAllowed):
            raise TransitionRefused(
                _("“%(action)s” needs details that only its own screen gives.") % {"action": TRANSITION_LABELS[name]}
            ) from None
        locked._history_user = by
        locked._change_reason = f"{name}: {reason}"[:100]
        try:
            locked.save()
        except ConcurrentTransition:  # the row lock makes this rare (SQLite has none): the caller is told
            raise StaleState(
                _("This dossier was changed by someone else meanwhile; please reload the page and try again.")
            ) from None
        if name == "submit":
            from applications import evaluations

            _count_evaluation(locked, now=now)
            evaluations.snapshot(locked, by=by, now=now)
        entry = TransitionLog(
            dossier=locked,
            transition=name,
            from_state=source,
            to_state=locked.state,
            actor=by,
            reason=reason,
            at=now or timezone.now(),
        )
        entry.notify = notify  # read by applications.signals, not stored
        entry.save()
    log.info("dossier %s %s: %s -> %s by %s", locked.pk, name, source, locked.state, by or "system")
    return locked


# Transitions a sweep may run on a whole chunk at once: their methods change only the row itself (no agency
# count, no snapshot, no other model), their guards read only the row and the clock.
BULK_TRANSITIONS = frozenset({"lapse", "open_recheck"})


def transition_many(dossiers, name, *, reason="", now=None, via=Path.SWEEP):
    """Run the system transition ``name`` on ``dossiers`` that the caller has locked in its transaction.

    The same as ``transition`` for each row, written in a few statements for a sweep's chunk: each row's
    guards are asked and its ``@transition`` method runs; the moved rows are saved together (only while
    still in their source state), each gets its history row (django-simple-history, same user and change
    reason) and its ``TransitionLog`` row. Bulk inserts send no ``post_save``: the caller tells people (a
    digest, as ``notify=False``). Returns ``(moved, refused)``; a row moved by someone else in between
    makes the whole call raise ``StaleState`` (the caller's chunk rolls back; its rerun re-checks).
    """
    if name not in BULK_TRANSITIONS:
        raise ValueError(f"{name} is not run in bulk")
    if via not in TRANSITION_PATHS[name]:
        raise TransitionRefused(_("“%(action)s” is not done from here.") % {"action": TRANSITION_LABELS[name]})
    fields = [f.attname for f in Dossier._meta.concrete_fields if not f.primary_key]
    moved, refused, sources = [], [], []
    for dossier in dossiers:
        dossier._clock = now
        if dossier.refusals(name, reason=reason):
            refused.append(dossier)
            continue
        before = {field: getattr(dossier, field) for field in fields}
        source = dossier.state
        getattr(dossier, name)(reason=reason)
        dossier._changed = {field for field in fields if getattr(dossier, field) != before[field]}
        dossier._history_user = None
        dossier._change_reason = f"{name}: {reason}"[:100]
        moved.append(dossier)
        sources.append(source)
    if not moved:
        return moved, refused
    at = now or timezone.now()
    changed = sorted(set().union(*(d._changed for d in moved)) | {"updated_at"})
    stamp = timezone.now()
    for dossier in moved:
        dossier.updated_at = stamp
    with transaction.atomic():
        # The state is protected against queryset updates (``DossierQuerySet.update``): this is the
        # transition's own save, of rows each moved above by its method, still in the state they were read in.
        saved = 0
        for values, pks in _same_values(moved, changed).items():
            saved += Dossier._base_manager.filter(pk__in=pks, state__in=set(sources)).update(**dict(values))
        if saved != len(moved):
            raise StaleState(_("Some dossiers were changed by someone else meanwhile; run the sweep again."))
        Dossier.history.bulk_history_create(moved, update=True, batch_size=500)
        TransitionLog.objects.bulk_create(
            [
                TransitionLog(
                    dossier=d, transition=name, from_state=source, to_state=d.state, actor=None, reason=reason, at=at
                )
                for d, source in zip(moved, sources, strict=True)
            ],
            batch_size=500,
        )
    for dossier, source in zip(moved, sources, strict=True):
        log.info("dossier %s %s: %s -> %s by system", dossier.pk, name, source, dossier.state)
    return moved, refused


def _same_values(dossiers, fields):
    """{((field, value), ...): [pk, ...]}: rows that take the same new values share one UPDATE (a lapse's
    chunk is one statement, not a 500-branch CASE)."""
    groups = {}
    for dossier in dossiers:
        groups.setdefault(tuple((f, getattr(dossier, f)) for f in fields), []).append(dossier.pk)
    return groups


def _count_evaluation(dossier, *, now):
    """第二十四条: the dossier's agency made an evaluation, counted in the calendar year it was made."""
    if dossier.agency_id:
        AgencyEvaluation.objects.get_or_create(
            agency_id=dossier.agency_id,
            dossier=dossier,
            defaults={
                "organisation_id": dossier.organisation_id,
                "year": dossier.today().year,
                "made_at": now or timezone.now(),
            },
        )


def pool(organisation, kind, cycle_year, *, by=None, reason="", now=None):
    """第八条, 第十三条: put an organisation in its district's cultivation pool for a kind and year."""
    dossier = Dossier(organisation=organisation, kind=kind, cycle_year=cycle_year)
    dossier._clock = now
    if not g.no_exclusion(dossier):
        raise TransitionRefused(g.no_exclusion.refusal(dossier))
    try:
        _create_with_log(dossier, "create", by=by, reason=reason, now=now)
    except IntegrityError:
        raise TransitionRefused(
            _("%(organisation)s already has a dossier for this kind in %(year)s.")
            % {"organisation": organisation, "year": cycle_year}
        ) from None
    return dossier


def enter_national_list(organisation, *, kind, year, by=None, reason="", now=None):
    """第十八条: a unit on MIIT's national list with no dossier here gets one, listed at national level.

    Its history starts with this entry (one log row, from nothing to listed). A unit under an Art. 12
    exclusion (第十二条) is not entered; nor is one that already has a dossier of this kind and year.
    Returns the dossier, or None when it was not entered.
    """
    from applications.models import Level

    dossier = Dossier(organisation=organisation, kind=kind, cycle_year=year, state=State.LISTED)
    dossier._clock = now
    if (
        not g.no_exclusion(dossier)
        or Dossier.objects.filter(organisation=organisation, kind=kind, cycle_year=year).exists()
    ):
        return None
    dossier._enter_list(Level.NATIONAL, None)
    return _create_with_log(dossier, "enter_national_list", by=by, reason=reason, now=now)


def _create_with_log(dossier, name, *, by, reason, now):
    """Save a new dossier and the first row of its log (from nothing to its first state), together."""
    with transaction.atomic():
        dossier._history_user = by
        dossier._change_reason = name
        dossier.save()
        TransitionLog.objects.create(
            dossier=dossier,
            transition=name,
            from_state="",
            to_state=dossier.state,
            actor=by,
            reason=reason,
            at=now or timezone.now(),
        )
    return dossier


def _refuse_unless(guard, dossier):
    if not guard(dossier):
        raise TransitionRefused(guard.refusal(dossier))


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
        source = ReportVersion.Source.AGENCY if locked.agency_id else ReportVersion.Source.APPLICANT
        _record_report_version(locked, uploaded_file, source, by=by, now=now)
    return locked


def _record_report_version(dossier, uploaded_file, source, *, by, now):
    """Every report upload is kept as its own version (the dossier's field points to the newest)."""
    import hashlib

    uploaded_file.seek(0)
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks() if hasattr(uploaded_file, "chunks") else [uploaded_file.read()]:
        digest.update(chunk)
    ReportVersion.objects.create(
        dossier=dossier,
        file=dossier.report.name,
        source=source,
        sha256=digest.hexdigest(),
        size=uploaded_file.size or 0,
        agency=dossier.agency,
        uploaded_by=by,
        uploaded_at=now or timezone.now(),
    )


def replace_barred_report(dossier, *, uploaded_file, attested, agency, by, now=None):
    """第二十五条: the report of an agency barred after recommendation is not accepted at any later step;
    the applicant attaches a new report, made by an agency in good standing (or its own where the round
    allows a self-evaluation), and the dossier may go on. The new agency meets 第二十四条 like any other.
    """
    from applications.uploads import validate_pdf

    if not attested:
        raise ValidationError(_("Art. 14: please attest that the report and materials are true and accurate."))
    validate_pdf(uploaded_file)
    with transaction.atomic():
        locked = Dossier.objects.select_for_update(of=("self",)).select_related("agency").get(pk=dossier.pk)
        locked._clock = now
        if locked.state not in AFTER_RECOMMENDATION or g.agency_not_barred(locked):
            raise TransitionRefused(
                _("Art. 25: a report is replaced here only when the agency that made it was barred after submission.")
            )
        locked.agency = agency
        locked.evaluation_mode = EvaluationMode.AGENCY if agency else EvaluationMode.SELF
        if agency is not None:
            Agency.objects.select_for_update().filter(pk=agency.pk).first()
            _refuse_unless(g.agency_not_barred, locked)
            _refuse_unless(g.agency_within_quota, locked)
        else:
            _refuse_unless(g.round_admits, locked)
        locked.report.save(uploaded_file.name or "report.pdf", uploaded_file, save=False)
        locked.report_attested = True
        locked.report_uploaded_at = now or timezone.now()
        locked._history_user = by
        locked._change_reason = "report replaced: the agency was barred (Art. 25)"
        locked.save()
        _record_report_version(locked, uploaded_file, ReportVersion.Source.REPLACEMENT, by=by, now=now)
        _count_evaluation(locked, now=now)
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
            if agency is not None:
                # 第二十四条, 第二十五条: choosing an agency meets the same rules as its report will.
                Agency.objects.select_for_update().filter(pk=agency.pk).first()
                locked._clock = now
                _refuse_unless(g.agency_not_barred, locked)
                _refuse_unless(g.agency_within_quota, locked)
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
    from applications.evaluations import submission_checklist

    with transaction.atomic():
        dossier = Dossier.objects.select_related("organisation").get(pk=dossier.pk)  # the caller's may be stale
        evaluation = SelfEvaluation.objects.filter(dossier=dossier).first()
        if evaluation is None or not evaluation.pledge:
            raise TransitionRefused(_("Art. 14: please attest that the report and materials are true and accurate."))
        todo = submission_checklist(dossier)
        if todo:
            raise TransitionRefused(todo[0][0])
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
                    event_date=_date_or_none(answer.get("event_date")),
                    evidence=answer.get("evidence", ""),
                    source=ExclusionSource.APPLICANT,
                    declared_by=by,
                    declared_at=at,
                )
        return transition(dossier, "submit", by=by, now=now, reason=_("Self-evaluation submitted"))


def _date_or_none(value):
    import datetime

    try:
        return datetime.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def record_exclusion(organisation, *, condition, event_date, evidence, by, source=ExclusionSource.STAFF, now=None):
    """第十二条: staff (or the portal itself) record that an Art. 12 circumstance happened on ``event_date``."""
    if not evidence.strip():
        raise TransitionRefused(_("Art. 12: describe the circumstance and where it was found."))
    return ExclusionDeclaration.objects.create(
        organisation=organisation,
        condition=condition,
        applies=True,
        event_date=event_date,
        evidence=evidence,
        source=source,
        automatic=source == ExclusionSource.SYSTEM,
        declared_by=by,
        declared_at=now or timezone.now(),
    )


def lift_exclusion(declaration, *, by, reason, now=None):
    """第十二条: only city staff lift a recorded exclusion, with a reason (an applicant's "no" lifts nothing)."""
    from accounts.scoping import is_city

    if not is_city(by):
        raise TransitionRefused(_("Art. 12: only the city bureau's staff may lift a recorded exclusion."))
    if not reason.strip():
        raise TransitionRefused(_("Please give the reason for lifting the exclusion."))
    with transaction.atomic():
        locked = ExclusionDeclaration.objects.select_for_update().get(pk=declaration.pk)
        if not locked.applies or locked.lifted_at is not None:
            raise TransitionRefused(_("This exclusion is not in force."))
        locked.lifted_at, locked.lifted_by, locked.lift_reason = now or timezone.now(), by, reason.strip()
        locked._history_user = by
        locked._change_reason = "lifted by city staff"
        locked.save()
    return locked


def flag_agency(agency, *, district, reason, by):
    """第二十三条: a district bureau records an agency's poor work, with the reason."""
    if not reason.strip():
        raise TransitionRefused(_("Art. 23: describe the agency's poor work."))
    return AgencyFlag.objects.create(agency=agency, district=district, reason=reason.strip(), flagged_by=by)


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
    """The result of one row of a bulk pooling sheet; ``reason`` is a refused row's category (``imports.REASONS``)."""

    def __init__(self, line, code, name, ok, message, dossier=None, reason=""):
        self.line, self.code, self.name, self.ok, self.message, self.dossier = line, code, name, ok, message, dossier
        self.reason = reason


def bulk_pool(rows, *, district, kind, cycle_year, by, progress=None, chunk=1000):
    """Pool each (line, credit code, name) row for ``district``; each row reports its result.

    A row's organisation is found by its credit code; an unknown code with a name creates the
    organisation in ``district``. Rows of another district, excluded units (第十二条) and duplicates
    are reported, not pooled. The records are those of ``pool`` row by row (organisation and dossier
    with their history, one ``create`` log row each), made in bulk ``chunk`` rows at a time, each
    chunk in its own transaction, with one lookup per chunk for the credit codes, the existing dossiers
    and the exclusions. ``progress(rows_done)`` is called after each chunk.
    """
    results = []
    for start in range(0, len(rows), chunk):
        with transaction.atomic():
            results += _pool_chunk(rows[start : start + chunk], district=district, kind=kind, year=cycle_year, by=by)
        if progress is not None:
            progress(len(results))
    return results


def _pool_chunk(rows, *, district, kind, year, by):
    from accounts.notifications import notify_each
    from applications import bulk
    from applications.credit_code import normalise, validate_credit_code

    parsed = []
    for line, raw_code, raw_name in rows:
        code, name = normalise(raw_code or ""), (raw_name or "").strip()
        try:
            validate_credit_code(code)
        except ValidationError as invalid:
            parsed.append(BulkRow(line, raw_code, name, False, invalid.messages[0], reason="invalid_code"))
            continue
        parsed.append(BulkRow(line, code, name, None, ""))
    codes = {r.code for r in parsed if r.ok is None}
    known = {o.credit_code: o for o in Organisation.objects.filter(credit_code__in=codes).select_related("district")}
    new = {}
    for row in parsed:
        if row.ok is not None:
            continue
        organisation = known.get(row.code) or new.get(row.code)
        if organisation is None and not row.name:
            row.ok, row.message = False, _("Unknown unit: add its name in column B to register it.")
            row.reason = "unknown"
        elif organisation is not None and organisation.district_id != district.pk:
            row.ok, row.name, row.reason = False, organisation.name, "other_district"
            row.message = _("This unit belongs to %(district)s.") % {"district": organisation.district}
        elif organisation is None:
            new[row.code] = Organisation(credit_code=row.code, name=row.name, district=district)
    # The inserts are ``bulk.insert``'s executemany (``bulk_create`` spent most of a 10,000-row import
    # building its statements); the new rows' keys are then read by their natural keys, one query each.
    at = timezone.now()
    if new:
        bulk.insert(Organisation, new.values(), now=at)
        ids = dict(Organisation.objects.filter(credit_code__in=list(new)).values_list("credit_code", "pk"))
        for code, organisation in new.items():
            organisation.pk = ids[code]
            organisation._state.adding, organisation._state.db = False, "default"
        # as ``Organisation.objects.create`` row by row: the user, no change reason
        bulk.history(Organisation, new.values(), by=by, reason=None, now=at)
    organisations = {**known, **new}
    ids = [o.pk for o in organisations.values()]
    taken = set(
        Dossier.objects.filter(organisation_id__in=ids, kind=kind, cycle_year=year).values_list(
            "organisation_id", flat=True
        )
    )
    may_be_excluded = set(
        ExclusionDeclaration.objects.filter(organisation_id__in=ids, applies=True, lifted_at__isnull=True).values_list(
            "organisation_id", flat=True
        )
    )
    dossiers = []
    for row in parsed:
        if row.ok is not None:
            continue
        organisation = organisations[row.code]
        row.name = organisation.name
        dossier = Dossier(organisation=organisation, kind=kind, cycle_year=year)
        if organisation.pk in may_be_excluded and not g.no_exclusion(dossier):
            row.ok, row.message, row.reason = False, g.no_exclusion.refusal(dossier), "excluded"
        elif organisation.pk in taken:
            row.ok, row.reason = False, "already_pooled"
            row.message = _("%(organisation)s already has a dossier for this kind in %(year)s.") % {
                "organisation": organisation,
                "year": year,
            }
        else:
            taken.add(organisation.pk)
            dossier._history_user, dossier._change_reason = by, "create"
            row.ok, row.message, row.dossier = True, _("Added to the pool"), dossier
            dossiers.append(dossier)
    bulk.create_dossiers(dossiers, kind=kind, year=year, transition="create", by=by, reason=_("Bulk import"), now=at)
    _tell_pooled(dossiers, by=by, notify_each=notify_each)
    return parsed


def _tell_pooled(dossiers, *, by, notify_each):
    """What ``pool`` row by row tells (the transition log's signal): each applicant of its own dossier, the
    district's other officers — here once for the whole chunk instead of once per unit."""
    from django.urls import reverse

    from accounts.models import Role, User

    if not dossiers:
        return
    users = {}
    for user in User.objects.filter(
        role=Role.APPLICANT, organisation_id__in={d.organisation_id for d in dossiers}, is_active=True
    ):
        users.setdefault(user.organisation_id, []).append(user)
    label = TRANSITION_LABELS["create"]
    items = []
    for d in dossiers:
        if users.get(d.organisation_id):
            title = _("%(organisation)s (%(year)s): %(action)s → %(state)s") % {
                "organisation": d.organisation.name,
                "year": d.cycle_year,
                "action": label,
                "state": d.get_state_display(),
            }
            items.append((users[d.organisation_id], title, _("Bulk import"), reverse("dossier_detail", args=[d.pk])))
    officers = User.objects.filter(role=Role.DISTRICT, district_id=dossiers[0].organisation.district_id, is_active=True)
    if by is not None:
        officers = officers.exclude(pk=by.pk)
    title = _("%(n)d units were added to the cultivation pool by bulk import") % {"n": len(dossiers)}
    body = "\n".join(d.organisation.name for d in dossiers)
    items.append((list(officers), title, body, reverse("district_pool")))
    transaction.on_commit(lambda: notify_each(items))


def bulk_pool_row_by_row(rows, *, district, kind, cycle_year, by):
    """``bulk_pool`` one row at a time through ``pool``: the reference its bulk path is tested against.

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
