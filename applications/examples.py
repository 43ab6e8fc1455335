"""Example answers for a dossier's evaluation: the demo's realistic values, and tests' complete ones.

``strength`` (0..1) places each figure between the template's baseline and leading value, so demo units
differ; evidence is a real small PDF (or, for tests, one stored file that many rows point to).
"""

import hashlib
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from applications import evaluations
from applications.models import EvaluationMode, EvidenceFile, ItemAnswer, ItemKind

EXAMPLE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
SHARED_EVIDENCE = "evidence/examples/证明材料示例.pdf"

NOTES = {
    ItemKind.VETO: "营业执照、近三年无事故证明（应急、生态环境、市场监管部门出具）",
    ItemKind.REQUIRED: "制度文件及执行记录",
    ItemKind.OPTIONAL: "证书或报告",
    ItemKind.QUANTITATIVE: "能源审计报告及统计台账（上一年度）",
}


def figure(item, strength):
    """A value ``strength`` of the way from the baseline to the leading value."""
    baseline, leading = Decimal(item.baseline), Decimal(item.leading)
    return (baseline + (leading - baseline) * Decimal(str(strength))).quantize(Decimal("0.01"))


def fill(dossier, *, by=None, strength=1.0, optional_met=True, shared_evidence=False, now=None):
    """Answer every item of the dossier's template (all requirements met), with evidence and a plan."""
    evaluation = evaluations.get_or_start(dossier, by=by)
    items = list(evaluation.template.ordered_items())
    now = now or timezone.now()
    ItemAnswer.objects.bulk_create(
        [
            ItemAnswer(
                evaluation=evaluation,
                item=item,
                met=None if item.kind == ItemKind.QUANTITATIVE else (optional_met or item.kind != ItemKind.OPTIONAL),
                value=figure(item, strength) if item.kind == ItemKind.QUANTITATIVE else None,
                note=NOTES[item.kind],
            )
            for item in items
        ],
        ignore_conflicts=True,
    )
    if shared_evidence and not default_storage.exists(SHARED_EVIDENCE):
        default_storage.save(SHARED_EVIDENCE, ContentFile(EXAMPLE_PDF))
    digest = hashlib.sha256(EXAMPLE_PDF).hexdigest()
    rows = []
    for item in items:
        if not item.evidence_required or (item.kind == ItemKind.OPTIONAL and not optional_met):
            continue
        row = EvidenceFile(
            evaluation=evaluation,
            item=item,
            original_name=f"{item.code}-证明材料.pdf",
            content_type="application/pdf",
            size=len(EXAMPLE_PDF),
            sha256=digest,
            uploaded_by=by,
            uploaded_at=now,
        )
        if shared_evidence:
            row.file.name = SHARED_EVIDENCE
        else:
            row.file.save(row.original_name, ContentFile(EXAMPLE_PDF), save=False)
        rows.append(row)
    EvidenceFile.objects.bulk_create(rows)
    evaluation.problems_and_plan = (
        "一、存在问题：余热回收利用不足，部分老旧空压机能效偏低。\n"
        "二、下一步计划：明年完成空压机节能改造，扩建屋顶光伏，开展主要产品碳足迹核算。"
    )
    evaluation.steps_saved = [code for code in evaluations.STEP_CODES]
    evaluation.pledge = True
    if dossier.evaluation_mode == EvaluationMode.AGENCY:
        result = evaluations.current_score(evaluation, dossier)
        evaluation.agency_basic_met = True
        evaluation.agency_score = result.total
        evaluation.agency_highlights = "屋顶光伏与余热回收并举，单位产品能耗达到行业先进水平。"
        evaluation.agency_pledge = True
        evaluation.agency_concluded_at = now
    evaluation.save()
    return evaluation
