"""The whole application as reviewers see it (issue 10): district officers, the city and assigned experts.

One read-only page per dossier: basic information, eligibility (第九条-第十一条) with who declared it,
every Art. 12 declaration with its dates (第十二条), the scored item table with its evidence opened beside
it, the total against the round's pass mark, what changed since a returned version, and every report
uploaded (第十四条). Who may open it is decided by ``accounts.scoping`` alone; ``application_sheet`` is
also what the conformity checklist (第十六条) shows beside each of its items.
"""

from decimal import Decimal, InvalidOperation

from csp.decorators import csp_replace
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.clickjacking import xframe_options_sameorigin

from accounts import scoping
from applications import evaluations
from applications.evaluation_forms import FIGURE_CRITERIA
from applications.models import (
    EDITABLE_STATES,
    ELIGIBILITY_CRITERIA,
    EligibilityDeclaration,
    EvaluationMode,
    EvidenceFile,
    ExclusionDeclaration,
    ItemKind,
    ReportVersion,
)
from applications.models.organisations import ELIGIBILITY_ARTICLE
from applications.uploads import EVIDENCE_TYPES, private_file, private_pdf

# 基本信息表 of MIIT's template, in its order.
BASIC_FIELDS = [
    "credit_code",
    "industry",
    "ownership",
    "address",
    "registration_authority",
    "established_on",
    "registered_capital",
    "valid_until",
    "legal_representative",
    "contact_department",
    "contact_name",
    "contact_phone",
    "contact_mobile",
    "fax",
    "contact_email",
    "production_scope",
    "boundary",
    "introduction",
]
SERVED_TYPES = {content_type for _magic, content_type in EVIDENCE_TYPES}


def _decimal(value):
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def basic_rows(organisation):
    """[(label, value)] of the 基本信息表, choice fields by their label."""
    rows = []
    for name in BASIC_FIELDS:
        field = organisation._meta.get_field(name)
        value = getattr(organisation, f"get_{name}_display")() if field.choices else getattr(organisation, name)
        rows.append((name, field.verbose_name, value))
    return rows


def eligibility_rows(dossier, evaluation):
    """Each criterion of the dossier's kind: the applicant's answer and the latest declaration of it."""
    answers = evaluation.eligibility_answers if evaluation else {}
    latest = {}
    declarations = (
        EligibilityDeclaration.objects.filter(organisation_id=dossier.organisation_id, kind=dossier.kind)
        .select_related("declared_by")
        .order_by("-declared_at", "-pk")
    )
    for declaration in declarations:
        latest.setdefault(declaration.criterion, declaration)
    rows = []
    for criterion in ELIGIBILITY_CRITERIA[dossier.kind]:
        answer = answers.get(criterion.value) or {}
        figure_label = FIGURE_CRITERIA[criterion][0] if criterion in FIGURE_CRITERIA else None
        rows.append(
            {
                "criterion": criterion,
                "label": criterion.label,
                "answered": bool(answer),
                "met": answer.get("met"),
                "evidence": answer.get("evidence", ""),
                "figure": _decimal(answer.get("figure")),
                "figure_label": figure_label,
                "declaration": latest.get(criterion.value),
            }
        )
    return rows


def exclusion_rows(organisation):
    """Every Art. 12 declaration of the organisation, newest first within each condition (append-only)."""
    return list(
        ExclusionDeclaration.objects.filter(organisation=organisation)
        .select_related("declared_by", "lifted_by")
        .order_by("condition", "-declared_at", "-pk")
    )


def _answer(answer, evidence=None):
    answer = answer or {}
    return {
        "met": answer.get("met"),
        "value": _decimal(answer.get("value")),
        "note": answer.get("note") or "",
        "evidence": evidence if evidence is not None else list(answer.get("evidence") or []),
    }


def _given(item, answer):
    return answer["value"] is not None if item.kind == ItemKind.QUANTITATIVE else bool(answer["met"])


def item_table(dossier, evaluation):
    """The scored items, from the latest submission once submitted, else from the draft.

    Returns the template, where the figures come from, the areas with their rows and subtotals, and the
    score (``scoring.Score.as_json()`` form: the snapshot keeps it that way).
    """
    snapshots = list(dossier.evaluation_snapshots.select_related("template", "submitted_by")[:1])
    latest = snapshots[0] if snapshots else None
    changes = {}
    if latest is not None and dossier.state not in EDITABLE_STATES:
        template, score, source = latest.template, latest.score, "snapshot"
        answers = {code: _answer(answer) for code, answer in latest.answers.items()}
        changes = evaluations.changes_since_previous(dossier)
    elif evaluation is not None and evaluation.template_id:
        template, source = evaluation.template, "draft"
        score = evaluations.current_score(evaluation, dossier).as_json()
    else:
        return None
    ordered = list(template.ordered_items())
    if source == "draft":
        evidence = {
            item_pk: [{"number": n, "name": f.original_name, "id": f.pk, "sha256": f.sha256} for n, f in files]
            for item_pk, files in evaluations.evidence_by_item(evaluation).items()
        }
        pks = {item.code: item.pk for item in ordered}
        answers = {
            code: _answer(answer, evidence.get(pks[code], []))
            for code, answer in evaluations.answers_of(evaluation).items()
            if code in pks
        }
    earned = {}
    for area in score.get("areas", []):
        earned.update({code: _decimal(points) for code, points in area["items"].items()})
    subtotals = {area["code"]: area for area in score.get("areas", [])}
    areas, evidence_count, without_evidence, figures = [], 0, [], []
    for item in ordered:
        if not areas or areas[-1]["area"].pk != item.area_id:
            subtotal = subtotals.get(item.area.code, {})
            areas.append(
                {
                    "area": item.area,
                    "earned": _decimal(subtotal.get("earned")),
                    "possible": _decimal(subtotal.get("possible")),
                    "rows": [],
                }
            )
        answer = answers.get(item.code) or _answer(None, [])
        evidence_count += len(answer["evidence"])
        if item.evidence_required and _given(item, answer) and not answer["evidence"]:
            without_evidence.append(item.code)
        row = {
            "item": item,
            "answer": answer,
            "earned": earned.get(item.code),
            "changed": item.code in changes,
            "previous": _answer(changes[item.code]) if item.code in changes else None,
        }
        if item.kind == ItemKind.QUANTITATIVE:
            figures.append(row)
        areas[-1]["rows"].append(row)
    review_round = evaluations.round_of(dossier)
    round_template = review_round.template if review_round and review_round.template_id else None
    return {
        "source": source,
        "snapshot": latest if source == "snapshot" else None,
        "last_submitted": latest,
        "template": template,
        "round_template": round_template if round_template and round_template.pk != template.pk else None,
        "areas": areas,
        "total": _decimal(score.get("total")),
        "possible": _decimal(score.get("possible")),
        "pass_mark": _decimal(score.get("pass_mark")),
        "passes": score.get("passes"),
        "vetoed": score.get("vetoed", []),
        "required_unmet": score.get("required_unmet", []),
        "unanswered": score.get("unanswered", []),
        "changed_count": len(changes),
        "evidence_count": evidence_count,
        "without_evidence": without_evidence,
        "figures": figures,
    }


def application_sheet(dossier):
    """Everything a reviewer reads about one dossier's application, for the page and the checklist."""
    evaluation = evaluations.evaluation_of(dossier)
    organisation = dossier.organisation
    eligibility = eligibility_rows(dossier, evaluation)
    return {
        "dossier": dossier,
        "organisation": organisation,
        "evaluation": evaluation,
        "basic": basic_rows(organisation),
        "eligibility_article": ELIGIBILITY_ARTICLE[dossier.kind],
        "eligibility": eligibility,
        "eligibility_has_figures": any(row["figure_label"] for row in eligibility),
        "exclusions": exclusion_rows(organisation),
        "active_exclusions": organisation.active_exclusions(),
        "table": item_table(dossier, evaluation),
        "report_versions": list(dossier.report_versions.select_related("uploaded_by", "agency")),
        "agency_mode": dossier.evaluation_mode == EvaluationMode.AGENCY,
    }


@login_required
def application_view(request, pk):
    dossier = scoping.get_dossier(request.user, pk)
    return render(request, "applications/application_view.html", application_sheet(dossier))


def _referenced_by_snapshot(dossier, evidence_pk):
    for answers in dossier.evaluation_snapshots.values_list("answers", flat=True):
        for answer in answers.values():
            if any(entry.get("id") == evidence_pk for entry in answer.get("evidence") or []):
                return True
    return False


@login_required
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": ["'self'"]})  # it opens in the panel beside the table, on the portal's own page
def evidence_file(request, pk, evidence_pk):
    """One evidence file of this dossier's evaluation, inline (it opens in the panel beside the table).

    A file the applicant withdrew stays readable only where a submission refers to it.
    """
    dossier = scoping.get_dossier(request.user, pk)
    evidence = get_object_or_404(EvidenceFile, pk=evidence_pk, evaluation__dossier=dossier)
    if evidence.withdrawn_at is not None and not _referenced_by_snapshot(dossier, evidence.pk):
        raise Http404
    content_type = evidence.content_type if evidence.content_type in SERVED_TYPES else "application/octet-stream"
    return private_file(evidence.file, evidence.original_name, content_type)


@login_required
def report_version_file(request, pk, version_pk):
    """Any report ever uploaded for the dossier (第十四条), to users in its scope."""
    dossier = scoping.get_dossier(request.user, pk)
    version = get_object_or_404(ReportVersion, pk=version_pk, dossier=dossier)
    return private_pdf(version.file, f"{dossier.organisation.name}-{dossier.cycle_year}-{version.pk}.pdf")
