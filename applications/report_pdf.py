"""The 自评价报告 (第十四条) as a PDF, in the order of MIIT's template, for the unit to sign and seal.

Cover, 基本信息表, the truthfulness pledge with spaces for the signature and the seal, the basic facts,
the answers to the conditions (第九条-第十一条) and the circumstances (第十二条), the scored items with
their evidence numbers, the evidence index, the problems and the plan; where an agency was commissioned,
its evaluation result and its own pledge. Every page carries the dossier's reference and a short
fingerprint of the answers and evidence, so a returned scan can be matched to what it was made from.

The text is Chinese whatever the reader's language: it is the document MIIT's template prescribes (as the
notices of ``registry.notices``; ``greenfactory.pdf``, whose renderer, local fetcher and Noto CJK fonts this reuses).
"""

import hashlib
import json
from decimal import Decimal

from django.utils import timezone, translation

from applications import evaluations, scoring
from applications.evaluation_forms import FIGURE_CRITERIA
from applications.models import ELIGIBILITY_CRITERIA, Dossier, EvaluationMode, ExclusionCondition, ItemKind
from applications.models.organisations import ELIGIBILITY_ARTICLE
from applications.models.reference import Kind
from greenfactory.pdf import NOTICE_LANGUAGE, cn_date, render_pdf

TEMPLATE = "applications/report/self_evaluation.html"
PROVINCE_CITY = "广东省深圳市"
TITLE_KIND = {Kind.FACTORY: "绿色工厂", Kind.PARK: "绿色工业园区", Kind.SUPPLY_CHAIN: "绿色供应链管理企业"}
# MIIT's short names of the item kinds, as the scoring tables of its templates print them.
KIND_SHORT = {
    ItemKind.VETO: "基本要求",
    ItemKind.REQUIRED: "必选",
    ItemKind.OPTIONAL: "可选",
    ItemKind.QUANTITATIVE: "定量",
}
FINGERPRINT_LENGTH = 12


def plain(value):
    """A decimal as people write it: 4.00 → "4", 0.0300 → "0.03"; None stays None."""
    if value is None:
        return None
    number = Decimal(value).normalize()
    text = format(number, "f")
    return "0" if text in ("-0", "0") else text


def lines(text):
    """Non-empty lines of a text the unit typed, each printed as its own indented paragraph."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def reference(dossier):
    """The dossier's reference on every page (cycle year and number)."""
    return f"{dossier.cycle_year}-{dossier.pk:06d}"


def filename(dossier):
    return f"{dossier.organisation.name}-{TITLE_KIND[dossier.kind]}自评价报告-{dossier.cycle_year}.pdf"


def fingerprint(evaluation, answers, index):
    """First 12 hex of SHA-256 over the answers and the evidence hashes, in a fixed canonical form.

    The same answers and files give the same fingerprint; any change of an answer, an explanation, the
    plan, the agency's result or an evidence file gives another one.
    """
    payload = {
        "items": {code: [a["met"], plain(a["value"]), a["note"]] for code, a in sorted(answers.items())},
        "evidence": [[number, file.item.code if file.item_id else "", file.sha256] for number, file in index],
    }
    if evaluation is not None:
        payload.update(
            eligibility=evaluation.eligibility_answers,
            exclusions=evaluation.exclusion_answers,
            plan=evaluation.problems_and_plan,
            agency=[evaluation.agency_basic_met, plain(evaluation.agency_score), evaluation.agency_highlights],
        )
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:FINGERPRINT_LENGTH]


def _basic_rows(organisation):
    """基本信息表 in MIIT's layout: (label, value, label, value) or (label, value) for a full-width row."""
    established = cn_date(organisation.established_on) if organisation.established_on else ""
    return [
        ("单位名称", organisation.name),
        ("统一社会信用代码", organisation.credit_code, "单位性质", organisation.ownership),
        ("所属行业", organisation.industry),
        ("注册地址", organisation.address),
        ("登记机关", organisation.registration_authority, "成立日期", established),
        ("注册资本", organisation.registered_capital, "营业期限", organisation.valid_until),
        ("法定代表人", organisation.legal_representative, "联系部门", organisation.contact_department),
        ("联系人", organisation.contact_name, "联系电话", organisation.contact_phone),
        ("手机", organisation.contact_mobile, "传真", organisation.fax),
        ("电子邮箱", organisation.contact_email),
    ]


def _eligibility_rows(dossier, evaluation):
    answers = evaluation.eligibility_answers if evaluation else {}
    rows = []
    for criterion in ELIGIBILITY_CRITERIA[dossier.kind]:
        answer = answers.get(criterion.value) or {}
        figure = answer.get("figure")
        figure_label = FIGURE_CRITERIA[criterion][0] if criterion in FIGURE_CRITERIA else "数值"
        rows.append(
            {
                "label": criterion.label,
                "met": answer.get("met"),
                "figure_label": figure_label,
                "figure": plain(scoring.as_decimal(figure)) if figure not in (None, "") else None,
                "evidence": answer.get("evidence", ""),
            }
        )
    return rows


def _exclusion_rows(evaluation):
    answers = evaluation.exclusion_answers if evaluation else {}
    rows = []
    for condition in ExclusionCondition:
        answer = answers.get(str(condition.value)) or {}
        rows.append(
            {
                "label": condition.label,
                "applies": answer.get("applies"),
                "event_date": answer.get("event_date") or "",
                "evidence": answer.get("evidence", ""),
            }
        )
    return rows


def _item_areas(template, result, answers, by_item):
    """The scoring table: per area its rows (item, answer, points) and its subtotal."""
    earned = {r.code: r.earned for area in result.areas for r in area.items}
    subtotals = {area.code: area for area in result.areas}
    areas = []
    for item in template.ordered_items():
        if not areas or areas[-1]["code"] != item.area.code:
            subtotal = subtotals.get(item.area.code)
            areas.append(
                {
                    "code": item.area.code,
                    "name": item.area.name,
                    "earned": plain(subtotal.earned) if subtotal else None,
                    "possible": plain(subtotal.possible) if subtotal else None,
                    "rows": [],
                }
            )
        answer = answers.get(item.code) or {}
        areas[-1]["rows"].append(
            {
                "code": item.code,
                "text": item.text,
                "kind": item.kind,
                "kind_label": KIND_SHORT.get(item.kind, item.kind),
                "quantitative": item.kind == ItemKind.QUANTITATIVE,
                "met": answer.get("met"),
                "value": plain(answer.get("value")),
                "unit": item.unit,
                "note": answer.get("note", ""),
                "earned": plain(earned.get(item.code)),
                "points": plain(item.points),
                "evidence": [number for number, _file in by_item.get(item.pk, [])],
            }
        )
    return areas


def _outcome(result):
    """One sentence on the score against the round's pass mark (what the district and the city check)."""
    if result.unanswered:
        return f"尚有{len(result.unanswered)}项未作答（{'、'.join(result.unanswered)}），得分不完整。"
    if result.vetoed:
        return f"基本要求{'、'.join(result.vetoed)}不符合，不具备申报条件。"
    if result.required_unmet:
        return f"必选项{'、'.join(result.required_unmet)}不符合，不具备申报条件。"
    if result.pass_mark is None:
        return "基本要求和必选项均符合。"
    reached = "达到" if result.total >= result.pass_mark else "未达到"
    return f"基本要求和必选项均符合，自评价得分{reached}本年度分数线（{plain(result.pass_mark)}分）。"


def report_context(dossier, *, now=None):
    """Everything the report prints, read in a fixed, small number of queries."""
    dossier = Dossier.objects.select_related("organisation__district", "agency").get(pk=dossier.pk)
    organisation = dossier.organisation
    evaluation = evaluations.evaluation_of(dossier)
    template = (
        evaluation.template if evaluation and evaluation.template_id else evaluations.applicable_template(dossier)
    )
    answers = evaluations.answers_of(evaluation)
    by_item = evaluations.evidence_by_item(evaluation) if evaluation else {}
    index = sorted((pair for files in by_item.values() for pair in files), key=lambda pair: pair[0])
    result = evaluations.current_score(evaluation, dossier)
    agency_mode = dossier.evaluation_mode == EvaluationMode.AGENCY
    kind_title = TITLE_KIND[dossier.kind]
    return {
        "title": f"{kind_title}自评价报告",
        "kind_title": kind_title,
        "dossier": dossier,
        "reference": reference(dossier),
        "organisation": organisation,
        "place": f"{PROVINCE_CITY}{organisation.district.name}",
        "date": cn_date(now or timezone.now()),
        "template": template,
        "template_label": f"{template.name}（第{template.version}版）" if template else "",
        "basic_rows": _basic_rows(organisation),
        "evaluation": evaluation,
        "eligibility_article": ELIGIBILITY_ARTICLE[dossier.kind],
        "eligibility": _eligibility_rows(dossier, evaluation),
        "exclusions": _exclusion_rows(evaluation),
        "areas": _item_areas(template, result, answers, by_item) if template else [],
        "total": plain(result.total) if result else None,
        "possible": plain(result.possible) if result else None,
        "pass_mark": plain(result.pass_mark) if result else None,
        "outcome": _outcome(result) if result else "",
        "index": [
            {
                "number": number,
                "code": file.item.code if file.item_id else "—",
                "name": file.original_name,
                "uploaded_on": timezone.localdate(file.uploaded_at).isoformat(),
                "sha": file.sha256[:FINGERPRINT_LENGTH],
            }
            for number, file in index
        ],
        "paragraphs": {
            "introduction": lines(organisation.introduction),
            "production_scope": lines(organisation.production_scope),
            "boundary": lines(organisation.boundary),
            "plan": lines(evaluation.problems_and_plan if evaluation else ""),
        },
        "agency_mode": agency_mode,
        "agency": dossier.agency if agency_mode else None,
        "agency_score": plain(evaluation.agency_score) if evaluation else None,
        "fingerprint": fingerprint(evaluation, answers, index),
    }


def self_evaluation_report(dossier, *, now=None):
    """The report as PDF bytes (WeasyPrint, embedded Noto CJK subsets)."""
    with translation.override(NOTICE_LANGUAGE):
        context = report_context(dossier, now=now)
    return render_pdf(TEMPLATE, context)
