"""Notice PDFs in the national format for official documents (GB/T 9704-2012 党政机关公文格式): 公示通知,
名单公告, 区级推荐函, 移出名单公告, and the city's letters on a conformity check and on a recheck (第十五条,
第十六条, 第十七条, 第二十一条, 第二十二条).

Each function returns the PDF as bytes, laid out with the 文号 it is given and dated (成文日期) the day it is
issued (``dated``; the event's own date when rendered outside the register): ``registry.documents`` takes
the number from the organ's register when the document is issued, and passes a number marked 〔草稿〕 for a
preview, which then carries a 草稿 watermark. WeasyPrint reads nothing over the network: the fetcher
serves ``/static/...`` and files under the project from disk and refuses every other URL (STACK.md).
Faces come from fontconfig (README, "Fonts for official documents"), never from ``@font-face``.
"""

from greenfactory.pdf import FetchRefused, LocalFetcher, base_url, cn_date, render_pdf  # noqa: F401 (re-exported)

MUNICIPAL_BUREAU = "深圳市工业和信息化局"
RULES = "《深圳市绿色工厂梯度培育管理实施细则》（深工信规〔2024〕9号）"
DRAFT_MARK = "〔草稿〕"


def is_draft(document_number):
    return not document_number or DRAFT_MARK in document_number


def _frame(*, organ, document_number, red, letter, contact, corrects, issuer, date):
    """The parts every document shares: 版头 (发文机关标志, 发文字号, separator), 附注, 落款, draft marks."""
    return {
        "organ_mark": organ.name if organ is not None else issuer,
        "document_number": document_number or DRAFT_MARK,
        "draft": is_draft(document_number),
        "red_header": red,
        "letter": letter,
        "contact": contact,
        "corrects_number": corrects.document_number if corrects is not None else "",
        "issuer": issuer,
        "date": date,
    }


def _organ(code=None, district=None):
    from registry.models import IssuingOrgan

    if district is not None:
        return IssuingOrgan.objects.filter(district=district).first()
    return IssuingOrgan.objects.filter(code=code or "city").first()


def publicity_notice(batch, *, document_number=None, corrects=None, dated=None):
    """公示通知 (第十七条): the units in publicity, the period and how to object. No credit codes."""
    entries = batch.entries.select_related("dossier__organisation__district").order_by("position")
    organ = _organ()
    return render_pdf(
        "notices/publicity.html",
        {
            "title": f"关于{batch.title}的公示",
            "rules": RULES,
            "starts_on": cn_date(batch.starts_on),
            "ends_on": cn_date(batch.ends_on),
            "objection_contact": batch.contact,
            "entries": entries,
            # 第十七条: the notice says the units were reviewed only when every one of them was.
            "all_reviewed": not any(e.dossier.manual_selection_reason for e in entries),
            **_frame(
                organ=organ,
                document_number=document_number,
                red=True,
                letter=False,
                contact=batch.contact or (organ.contact if organ else ""),
                corrects=corrects,
                issuer=MUNICIPAL_BUREAU,
                date=cn_date(dated or batch.starts_on),
            ),
        },
    )


def list_announcement(published_list, *, document_number=None, corrects=None, dated=None):
    """名单公告 (第十七条): the municipal list published after publicity, ordered by rank."""
    rows = published_list.entries or [
        {
            "rank": d.rank,
            "name": d.organisation.name,
            "district": d.organisation.district.name,
            "kind_label": d.get_kind_display(),
        }
        for d in published_list.dossiers.select_related("organisation__district").order_by("rank", "pk")
    ]
    organ = _organ()
    contact = (organ.contact if organ else "") or published_list.publicity_batch.contact
    return render_pdf(
        "notices/list.html",
        {
            "title": published_list.title,
            "rules": RULES,
            "dossiers": rows,
            **_frame(
                organ=organ,
                document_number=document_number,
                red=False,
                letter=False,
                contact=contact,
                corrects=corrects,
                issuer=MUNICIPAL_BUREAU,
                date=cn_date(dated or published_list.published_at),
            ),
        },
    )


def letter_contact(organ, user):
    """附注 of a letter: the organ's contact for documents, else the officer who sent it (name, telephone)."""
    if organ is not None and organ.contact:
        return organ.contact
    return "，".join(part for part in (user.get_full_name() or user.username, getattr(user, "phone", "")) if part)


def recommendation_letter(batch, *, document_number=None, corrects=None, dated=None):
    """区级推荐函 (第十五条): the district bureau's letter sending its list to the city, with a contact (附注)."""
    dossiers = list(batch.dossiers.select_related("organisation").order_by("organisation_name", "pk"))
    organ = _organ(district=batch.district)
    return render_pdf(
        "notices/recommendation.html",
        {
            "title": f"关于推荐{batch.cycle_year}年度绿色制造名单的函",
            "addressee": MUNICIPAL_BUREAU,
            "year": batch.cycle_year,
            "rules": RULES,
            "dossiers": dossiers,
            "note_paragraphs": [line.strip() for line in batch.note.splitlines() if line.strip()],
            **_frame(
                organ=organ,
                document_number=document_number,
                red=True,
                letter=True,
                contact=letter_contact(organ, batch.submitted_by),
                corrects=corrects,
                issuer=batch.district.bureau_name,
                date=cn_date(dated or batch.submitted_at),
            ),
        },
    )


def removal_notice(dossiers, *, decided_on, document_number=None, corrects=None, dated=None):
    """移出名单公告 (第二十一条, 第二十二条): the units removed from the municipal list, the kind and level of
    the listing, the ground, and the facts and reasons recorded with the removal (the form promises to
    publish them)."""
    from applications.models import Level
    from applications.models.dossiers import RemovalGround
    from registry.models import Removal

    dossiers = list(dossiers)
    removals = {r.dossier_id: r for r in Removal.objects.filter(dossier__in=[d.pk for d in dossiers])}
    rows = []
    for dossier in dossiers:
        removal = removals.get(dossier.pk)
        ground = removal.ground if removal else dossier.removal_ground
        rows.append(
            {
                "name": dossier.organisation.name,
                "district": dossier.organisation.district.name,
                "kind_label": dossier.get_kind_display(),
                "level_label": Level(dossier.level).label if dossier.level in Level.values else "",
                "listed_year": dossier.cycle_year,
                "ground_label": RemovalGround(ground).label if ground in RemovalGround.values else ground,
                "facts": removal.reason if removal else dossier.outcome_reason,
            }
        )
    organ = _organ()
    return render_pdf(
        "notices/removal.html",
        {
            "title": "关于移出深圳市绿色制造名单单位的公告",
            "rules": RULES,
            "rows": rows,
            **_frame(
                organ=organ,
                document_number=document_number,
                red=False,
                letter=False,
                contact=organ.contact if organ else "",
                corrects=corrects,
                issuer=MUNICIPAL_BUREAU,
                date=cn_date(dated or decided_on),
            ),
        },
    )


def _listing_phrase(dossier):
    from applications.models import Level

    level = Level(dossier.level).label if dossier.level in Level.values else ""
    return "，".join(part for part in (str(dossier.get_kind_display()), str(level)) if part)


def conformity_letter(check, *, document_number=None, corrects=None, dated=None):
    """符合性审查结果告知函 (第十六条): the city tells the recommending district bureau the result of the
    conformity check of one dossier, item by item, with the reasons when it failed."""
    from reviews.models import CONFORMITY_ITEMS

    dossier = check.dossier
    district = dossier.organisation.district
    items = [{"label": label, "met": bool(check.results.get(key))} for key, label in CONFORMITY_ITEMS]
    organ = _organ()
    return render_pdf(
        "notices/conformity.html",
        {
            "title": f"关于{dossier.organisation.name}{dossier.cycle_year}年度绿色制造申报材料符合性审核结果的函",
            "addressee": district.bureau_name,
            "rules": RULES,
            "dossier": dossier,
            "kind_label": dossier.get_kind_display(),
            "items": items,
            "passed": check.passed,
            "reason_paragraphs": [line.strip() for line in check.reasons.splitlines() if line.strip()],
            **_frame(
                organ=organ,
                document_number=document_number,
                red=True,
                letter=True,
                contact=organ.contact if organ and organ.contact else letter_contact(organ, check.checked_by),
                corrects=corrects,
                issuer=MUNICIPAL_BUREAU,
                date=cn_date(dated or check.checked_at),
            ),
        },
    )


def recheck_letter(recheck, *, document_number=None, corrects=None, dated=None):
    """复核结果告知函 (第二十一条): the city tells the district bureau its decision on the triennial recheck
    of a listed unit: kept (with the next recheck), kept with a rectification deadline, or removed."""
    from registry.models import Recheck

    dossier = recheck.dossier
    district = dossier.organisation.district
    organ = _organ()
    return render_pdf(
        "notices/recheck.html",
        {
            "title": f"关于{dossier.organisation.name}绿色制造名单复核结果的函",
            "addressee": district.bureau_name,
            "rules": RULES,
            "dossier": dossier,
            "listing": _listing_phrase(dossier),
            "proposal_label": Recheck.Proposal(recheck.proposal).label if recheck.proposal else "",
            "decision": recheck.decision,
            "next_recheck": cn_date(dossier.next_recheck_due) if dossier.next_recheck_due else "",
            "rectify_by": cn_date(recheck.rectify_by) if recheck.rectify_by else "",
            "finding_paragraphs": [line.strip() for line in recheck.findings.splitlines() if line.strip()],
            "note_paragraphs": [line.strip() for line in recheck.decision_note.splitlines() if line.strip()],
            **_frame(
                organ=organ,
                document_number=document_number,
                red=True,
                letter=True,
                contact=organ.contact if organ and organ.contact else letter_contact(organ, recheck.decided_by),
                corrects=corrects,
                issuer=MUNICIPAL_BUREAU,
                date=cn_date(dated or recheck.decided_at),
            ),
        },
    )
