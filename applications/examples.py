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
from applications.models import (
    ELIGIBILITY_CRITERIA,
    EvaluationMode,
    EvidenceFile,
    ExclusionCondition,
    ItemAnswer,
    ItemKind,
)

EXAMPLE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
SHARED_EVIDENCE = "evidence/examples/证明材料示例.pdf"

BASIC_EXAMPLE = {
    "industry": "C39 计算机、通信和其他电子设备制造业",
    "ownership": "民营",
    "address": "深圳市南山区科技园示例路1号",
    "legal_representative": "张三",
    "contact_name": "李四",
    "contact_phone": "0755-26000000",
    "registration_authority": "深圳市市场监督管理局",
    "registered_capital": "5000万元人民币",
    "valid_until": "长期",
    "contact_department": "安全环保部",
    "contact_mobile": "13800000000",
    "introduction": "本单位成立于2012年，主要从事产品研发与制造，现有员工1200人，厂房面积4.2万平方米。",
}
# A park's operator is a business service (GB/T 4754-2017 L72), not a manufacturer.
INDUSTRY_BY_KIND = {"park": "L72 商务服务业"}

NOTES = {
    ItemKind.VETO: "营业执照、近三年无事故证明（应急、生态环境、市场监管部门出具）",
    ItemKind.REQUIRED: "制度文件及执行记录",
    ItemKind.OPTIONAL: "证书或报告",
    ItemKind.QUANTITATIVE: "能源审计报告及统计台账（上一年度）",
}


def demo_evidence_pdf():
    """A one-page PDF that says what it is: the demo's stand-in for a unit's evidence (never a real document)."""
    from weasyprint import HTML

    html = (
        "<html lang=\"zh-CN\"><body style=\"font-family: 'Noto Serif CJK SC', 'Noto Sans CJK SC', serif;"
        ' padding: 3cm"><h1 style="font-size: 20pt">证明材料示例</h1><p>本文件为演示数据，代替企业上传的'
        "能源审计报告、统计台账、证书等证明材料。</p><p>绿色制造梯度培育管理平台 · 演示环境</p></body></html>"
    )
    return HTML(string=html).write_pdf()


def store_shared_evidence(content):
    """The one stored file that example evidence rows point to (replaced if it exists)."""
    if default_storage.exists(SHARED_EVIDENCE):
        default_storage.delete(SHARED_EVIDENCE)
    default_storage.save(SHARED_EVIDENCE, ContentFile(content))


def figure(item, strength):
    """A value ``strength`` of the way from the baseline to the leading value."""
    baseline, leading = Decimal(item.baseline), Decimal(item.leading)
    return (baseline + (leading - baseline) * Decimal(str(strength))).quantize(Decimal("0.01"))


def fill(dossier, *, by=None, strength=1.0, optional_met=True, shared_evidence=False, now=None):
    """Answer every item of the dossier's template (all requirements met), with evidence and a plan."""
    evaluation = evaluations.get_or_start(dossier, by=by)
    organisation = dossier.organisation
    for name, example in (
        BASIC_EXAMPLE | {"industry": INDUSTRY_BY_KIND.get(dossier.kind, BASIC_EXAMPLE["industry"])}
    ).items():
        if not getattr(organisation, name):
            setattr(organisation, name, example)
    organisation.save()
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
    content = EXAMPLE_PDF
    if shared_evidence:
        if not default_storage.exists(SHARED_EVIDENCE):
            store_shared_evidence(EXAMPLE_PDF)
        with default_storage.open(SHARED_EVIDENCE, "rb") as stored:
            content = stored.read()
    digest = hashlib.sha256(content).hexdigest()
    rows = []
    for item in items:
        if not item.evidence_required or (item.kind == ItemKind.OPTIONAL and not optional_met):
            continue
        row = EvidenceFile(
            evaluation=evaluation,
            item=item,
            original_name=f"{item.code}-证明材料.pdf",
            content_type="application/pdf",
            size=len(content),
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
    if not evaluation.eligibility_answers:
        evaluation.eligibility_answers = {
            criterion.value: {"met": True, "evidence": "营业执照、生产许可证及厂区租赁合同"}
            for criterion in ELIGIBILITY_CRITERIA[dossier.kind]
        }
        if dossier.kind == "park":
            evaluation.eligibility_answers["park_industrial_share"]["figure"] = "72.5"
    if not evaluation.exclusion_answers:
        evaluation.exclusion_answers = {
            str(condition.value): {"applies": False, "evidence": "信用中国、信用广东查询结果截图", "event_date": ""}
            for condition in ExclusionCondition
        }
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
