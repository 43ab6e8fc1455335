"""The structured evaluation of a dossier (issue 10): template choice, answers, evidence, score, snapshots.

Views call these; none of them trusts the caller about the state: answers and evidence change only while
the dossier is editable (before submission or after a return), in one transaction each.
"""

import hashlib
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications import scoring
from applications.models import (
    EDITABLE_STATES,
    Dossier,
    EvaluationMode,
    EvaluationSnapshot,
    EvaluationTemplate,
    EvidenceFile,
    ItemAnswer,
    ItemKind,
    SelfEvaluation,
    TemplateArea,
    TemplateItem,
)

DEFAULT_STANDARD = {"factory": "GB/T 36132-2025"}

# The steps of the applicant's form, in the order of MIIT's template (EVALUATION.md).
STEPS = [
    ("basic", gettext_lazy("Basic information")),
    ("eligibility", gettext_lazy("Eligibility (Art. 9-11)")),
    ("exclusions", gettext_lazy("Exclusions (Art. 12)")),
    ("items", gettext_lazy("Evaluation items")),
    ("plan", gettext_lazy("Problems and plan")),
    ("report", gettext_lazy("Report, pledge and submission")),
]
STEP_CODES = [code for code, _label in STEPS]


class EvaluationRefused(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def round_of(dossier):
    from reviews.models import Round

    return Round.objects.filter(year=dossier.cycle_year, kind=dossier.kind).select_related("template").first()


def ensure_templates():
    """The four starting templates exist (migration 0011 seeds them; a flushed test database may not have them)."""
    from applications.evaluation_seed import TEMPLATES, load

    for data in TEMPLATES:
        if not EvaluationTemplate.objects.filter(kind=data["kind"], standard=data["standard"]).exists():
            load(EvaluationTemplate, TemplateArea, TemplateItem, data)


def latest_template(kind, standard=None):
    if not EvaluationTemplate.objects.filter(kind=kind).exists():
        ensure_templates()
    templates = EvaluationTemplate.objects.filter(kind=kind)
    standard = standard or DEFAULT_STANDARD.get(kind)
    if standard and templates.filter(standard=standard).exists():
        templates = templates.filter(standard=standard)
    # A draft that staff are still editing as a new version is not what applicants fill; the newest frozen one is.
    frozen = templates.filter(frozen_at__isnull=False).order_by("-version").first()
    return frozen or templates.order_by("version").first()


def applicable_template(dossier):
    """The round's chosen template, else the newest version for the kind (and the round's standard)."""
    review_round = round_of(dossier)
    if review_round and review_round.template_id:
        return review_round.template
    return latest_template(dossier.kind, review_round.standard if review_round else None)


def pass_mark_of(dossier):
    review_round = round_of(dossier)
    return review_round.pass_mark if review_round else None


def evaluation_of(dossier):
    return SelfEvaluation.objects.filter(dossier=dossier).select_related("template").first()


def template_for(evaluation, dossier):
    """The version this evaluation is scored with: once submitted it keeps it; a draft follows the round."""
    if evaluation is None or evaluation.template_id is None:
        return applicable_template(dossier)
    if dossier.state in EDITABLE_STATES:
        wanted = applicable_template(dossier)
        if wanted is not None and wanted.pk != evaluation.template_id:
            return wanted
    return evaluation.template


def adopt_template(evaluation, template):
    """Move a draft to ``template``: answers to items with the same code carry over, evidence too."""
    if evaluation.template_id == template.pk:
        return evaluation
    new_items = {item.code: item for item in template.ordered_items()}
    for answer in evaluation.item_answers.select_related("item"):
        target = new_items.get(answer.item.code)
        if target is not None and not evaluation.item_answers.filter(item=target).exists():
            ItemAnswer.objects.create(
                evaluation=evaluation, item=target, met=answer.met, value=answer.value, note=answer.note
            )
    for evidence in evaluation.evidence_files.filter(withdrawn_at__isnull=True).select_related("item"):
        target = new_items.get(evidence.item.code) if evidence.item_id else None
        if target is not None and evidence.item.area.template_id != template.pk:
            EvidenceFile.objects.filter(pk=evidence.pk).update(item=target)
    evaluation.template = template
    evaluation.save(update_fields=["template"])
    return evaluation


def get_or_start(dossier, *, by):
    """The dossier's evaluation, created on first use and moved to the round's template while a draft."""
    with transaction.atomic():
        evaluation, _created = SelfEvaluation.objects.get_or_create(dossier=dossier, defaults={"updated_by": by})
        template = template_for(evaluation, dossier)
        if template is not None and evaluation.template_id != template.pk and dossier.state in EDITABLE_STATES:
            adopt_template(evaluation, template)
    return evaluation


def answers_of(evaluation):
    """{item code: {"met", "value", "note"}} for the evaluation's own template."""
    if evaluation is None or evaluation.template_id is None:
        return {}
    rows = evaluation.item_answers.filter(item__area__template_id=evaluation.template_id).select_related("item")
    return {a.item.code: {"met": a.met, "value": a.value, "note": a.note} for a in rows}


def evidence_index(evaluation):
    """证明材料索引: live evidence in item order, numbered 1, 2, 3 … → [(number, EvidenceFile)]."""
    if evaluation is None:
        return []
    order = {item.pk: n for n, item in enumerate(evaluation.template.ordered_items())} if evaluation.template else {}
    files = sorted(
        evaluation.evidence_files.filter(withdrawn_at__isnull=True).select_related("item"),
        key=lambda f: (order.get(f.item_id, len(order)), f.uploaded_at, f.pk),
    )
    return list(enumerate(files, start=1))


def evidence_by_item(evaluation):
    by_item = {}
    for number, evidence in evidence_index(evaluation):
        by_item.setdefault(evidence.item_id, []).append((number, evidence))
    return by_item


def current_score(evaluation, dossier):
    template = evaluation.template if evaluation and evaluation.template_id else applicable_template(dossier)
    if template is None:
        return None
    return scoring.score(template, answers_of(evaluation), pass_mark=pass_mark_of(dossier))


def missing_evidence(evaluation):
    """Codes of items that need evidence (answered met, or with a figure) and have none."""
    if evaluation is None or evaluation.template_id is None:
        return []
    answers = answers_of(evaluation)
    have = {f.item_id for f in evaluation.evidence_files.filter(withdrawn_at__isnull=True)}
    missing = []
    for item in evaluation.template.ordered_items():
        answer = answers.get(item.code) or {}
        given = answer.get("value") is not None if item.kind == ItemKind.QUANTITATIVE else answer.get("met")
        if item.evidence_required and given and item.pk not in have:
            missing.append(item.code)
    return missing


def _locked_editable(dossier):
    locked = Dossier.objects.select_for_update(of=("self",)).get(pk=dossier.pk)
    if locked.state not in EDITABLE_STATES:
        raise EvaluationRefused(_("The self-evaluation can only be edited before submission or after a return."))
    return locked


def may_fill_items(user, dossier):
    """The applicant fills the items itself; for a commissioned evaluation the agency fills them (Art. 14)."""
    if dossier.evaluation_mode == EvaluationMode.AGENCY:
        return bool(dossier.agency_id) and getattr(user, "agency_id", None) == dossier.agency_id
    return getattr(user, "organisation_id", None) == dossier.organisation_id


def save_item_answers(dossier, *, answers, by, step=None):
    """Save {code: {"met", "value", "note"}} for the evaluation's template; unknown codes are refused."""
    with transaction.atomic():
        _locked_editable(dossier)
        evaluation = get_or_start(dossier, by=by)
        items = {item.code: item for item in evaluation.template.ordered_items()}
        unknown = sorted(set(answers) - set(items))
        if unknown:
            raise EvaluationRefused(_("Unknown items: %(codes)s") % {"codes": ", ".join(unknown)})
        for code, answer in answers.items():
            ItemAnswer.objects.update_or_create(
                evaluation=evaluation,
                item=items[code],
                defaults={"met": answer.get("met"), "value": answer.get("value"), "note": answer.get("note", "")},
            )
        mark_step(evaluation, step, by=by)
    return evaluation


def mark_step(evaluation, step, *, by):
    if step and step not in evaluation.steps_saved:
        evaluation.steps_saved = [*evaluation.steps_saved, step]
    evaluation.updated_by = by
    evaluation._history_user = by
    evaluation.save()


def add_evidence(dossier, *, item_code, uploaded_files, by, now=None):
    """Attach files (PDF, JPEG, PNG; checked by content and size) to one item, all or none."""
    from applications.uploads import validate_evidence

    for uploaded in uploaded_files:
        validate_evidence(uploaded)
    with transaction.atomic():
        _locked_editable(dossier)
        evaluation = get_or_start(dossier, by=by)
        item = evaluation.template.ordered_items().filter(code=item_code).first()
        if item is None:
            raise EvaluationRefused(_("Unknown items: %(codes)s") % {"codes": item_code})
        created = []
        for uploaded in uploaded_files:
            uploaded.seek(0)
            digest = hashlib.sha256(uploaded.read()).hexdigest()
            uploaded.seek(0)
            evidence = EvidenceFile(
                evaluation=evaluation,
                item=item,
                original_name=(uploaded.name or "evidence")[-200:],
                content_type=getattr(uploaded, "checked_type", "") or "application/octet-stream",
                size=uploaded.size,
                sha256=digest,
                uploaded_by=by,
                uploaded_at=now or timezone.now(),
            )
            evidence.file.save(uploaded.name or "evidence", uploaded, save=False)
            evidence._history_user = by
            evidence.save()
            created.append(evidence)
    return created


def withdraw_evidence(dossier, *, evidence_id, by, now=None):
    with transaction.atomic():
        _locked_editable(dossier)
        evidence = EvidenceFile.objects.select_for_update().get(pk=evidence_id, evaluation__dossier=dossier)
        evidence.withdrawn_at = now or timezone.now()
        evidence._history_user = by
        evidence.save()
    return evidence


def snapshot(dossier, *, by, now=None):
    """Freeze what is submitted: answers, evidence numbers and score with the template version (append-only)."""
    evaluation = evaluation_of(dossier)
    template = evaluation.template
    template.freeze(now)
    result = scoring.score(template, answers_of(evaluation), pass_mark=pass_mark_of(dossier))
    evidence = {}
    for number, file in evidence_index(evaluation):
        evidence.setdefault(file.item.code if file.item_id else "", []).append(
            {"number": number, "name": file.original_name, "id": file.pk, "sha256": file.sha256}
        )
    answers = {
        code: {
            "met": answer["met"],
            "value": None if answer["value"] is None else str(answer["value"]),
            "note": answer["note"],
            "evidence": evidence.get(code, []),
        }
        for code, answer in answers_of(evaluation).items()
    }
    return EvaluationSnapshot.objects.create(
        dossier=dossier,
        template=template,
        answers=answers,
        score=result.as_json(),
        total=result.total,
        pass_mark=result.pass_mark,
        submitted_by=by,
        submitted_at=now or timezone.now(),
    )


def changes_since_previous(dossier):
    """Items whose answer changed between the last two submissions (a returned and resubmitted dossier)."""
    snapshots = list(dossier.evaluation_snapshots.all()[:2])
    if len(snapshots) < 2:
        return {}
    latest, previous = snapshots
    changed = {}
    for code in sorted(set(latest.answers) | set(previous.answers)):
        now_answer, before = latest.answers.get(code) or {}, previous.answers.get(code) or {}
        keys = ("met", "value", "note")
        before_names = [e["sha256"] for e in before.get("evidence", [])]
        now_names = [e["sha256"] for e in now_answer.get("evidence", [])]
        if any(now_answer.get(k) != before.get(k) for k in keys) or before_names != now_names:
            changed[code] = before
    return changed


def new_version(template, *, by):
    """A draft copy of ``template`` as its next version (a frozen template is never changed in place)."""
    with transaction.atomic():
        latest = (
            EvaluationTemplate.objects.select_for_update()
            .filter(kind=template.kind, standard=template.standard)
            .order_by("-version")
            .first()
        )
        copy = EvaluationTemplate.objects.create(
            kind=template.kind,
            standard=template.standard,
            name=template.name,
            version=latest.version + 1,
            previous=template,
            baseline_share=template.baseline_share,
            source=template.source,
            note=template.note,
            created_by=by,
        )
        for area in template.areas.all():
            new_area = TemplateArea.objects.create(template=copy, code=area.code, name=area.name, order=area.order)
            for item in area.items.all():
                item.pk = None
                item.id = None
                item.area = new_area
                item._state.adding = True
                item.save()
    return copy


def quantitative_history(organisation):
    """A unit's figures by indicator code across its submitted evaluations: {code: [(year, value)]}."""
    history = {}
    for snap in EvaluationSnapshot.objects.filter(dossier__organisation=organisation).order_by("submitted_at"):
        for code, answer in snap.answers.items():
            if answer.get("value") is not None:
                history.setdefault(code, {})[snap.dossier.cycle_year] = Decimal(answer["value"])
    return history


# MIIT's 基本信息表 fields without which a report cannot be filed (第十四条: materials complete).
REQUIRED_BASIC = ["industry", "ownership", "address", "legal_representative", "contact_name", "contact_phone"]


def missing_basic(organisation):
    return [name for name in REQUIRED_BASIC if not getattr(organisation, name)]


def steps_for(dossier):
    """The steps of this dossier's form; a commissioned evaluation adds the agency's conclusions."""
    steps = list(STEPS)
    if dossier.evaluation_mode == EvaluationMode.AGENCY:
        steps.insert(4, ("conclusion", gettext_lazy("Agency's evaluation result")))
    return steps


def save_fields(dossier, *, by, step, **fields):
    """Save plain fields of the evaluation for one step, only while the dossier is editable."""
    with transaction.atomic():
        _locked_editable(dossier)
        evaluation = get_or_start(dossier, by=by)
        evaluation = SelfEvaluation.objects.select_for_update().get(pk=evaluation.pk)
        for name, value in fields.items():
            setattr(evaluation, name, value)
        mark_step(evaluation, step, by=by)
    return evaluation


def submission_checklist(dossier):
    """What still stands between this draft and a submission: [(message citing its rule, step, anchor)]."""
    from applications.models import ELIGIBILITY_CRITERIA, ExclusionCondition
    from applications.models.organisations import ELIGIBILITY_ARTICLE

    evaluation = evaluation_of(dossier)
    organisation = dossier.organisation
    todo = []
    for name in missing_basic(organisation):
        label = organisation._meta.get_field(name).verbose_name
        todo.append((_("MIIT's application form: fill in “%(field)s”.") % {"field": label}, "basic", f"id_{name}"))
    eligibility = evaluation.eligibility_answers if evaluation else {}
    for criterion in ELIGIBILITY_CRITERIA[dossier.kind]:
        answer = eligibility.get(criterion.value)
        if not answer or not answer.get("evidence", "").strip():
            todo.append(
                (
                    _("%(article)s: answer “%(criterion)s” with its evidence.")
                    % {"article": ELIGIBILITY_ARTICLE[dossier.kind], "criterion": criterion.label},
                    "eligibility",
                    f"id_elig_{criterion.value}_0",
                )
            )
    exclusions = evaluation.exclusion_answers if evaluation else {}
    for condition in ExclusionCondition:
        if str(condition.value) not in exclusions:
            todo.append(
                (
                    _("Art. 12: answer “%(condition)s”.") % {"condition": condition.label},
                    "exclusions",
                    f"id_excl_{condition.value}_0",
                )
            )
    result = current_score(evaluation, dossier) if evaluation else None
    if result is not None:
        item_messages = [
            (result.unanswered, _("Art. 14: evaluation item %(code)s is not answered.")),
            (missing_evidence(evaluation), _("Art. 14: evaluation item %(code)s needs its evidence.")),
            (result.vetoed, _("Basic requirement %(code)s is not met; the unit cannot apply.")),
            (result.required_unmet, _("Required item %(code)s is not met; the unit cannot apply.")),
        ]
        for codes, message in item_messages:
            todo.extend((message % {"code": code}, "items", f"item-{code}") for code in codes)
        if not result.unanswered and result.pass_mark is not None and result.total < result.pass_mark:
            todo.append(
                (
                    _("The round's pass mark is %(mark)s; the self-evaluation scores %(total)s.")
                    % {"mark": result.pass_mark, "total": result.total},
                    "items",
                    "score",
                )
            )
    if dossier.evaluation_mode == EvaluationMode.AGENCY and not (
        evaluation
        and evaluation.agency_pledge
        and evaluation.agency_basic_met is not None
        and evaluation.agency_score is not None
    ):
        todo.append(
            (
                _("Art. 14: the commissioned agency gives its evaluation result and pledge."),
                "conclusion",
                "id_agency_basic_met_0",
            )
        )
    if not (evaluation and evaluation.problems_and_plan.strip()):
        todo.append((_("Art. 14: describe the problems found and the next steps."), "plan", "id_problems_and_plan"))
    if not (evaluation and evaluation.pledge):
        todo.append((_("Art. 14: the unit's truthfulness pledge."), "report", "id_pledge"))
    if not (dossier.report and dossier.report_attested):
        todo.append((_("Art. 14: upload the signed and sealed report."), "report", "id_report"))
    return todo
