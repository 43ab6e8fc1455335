"""Notice PDFs: 公示通知, 名单公告, 区级推荐函 and 移出名单公告 (第十五条, 第十七条, 第二十一条, 第二十二条).

Each function returns the PDF as bytes. WeasyPrint reads nothing over the network: the fetcher serves
``/static/...`` and files under the project from disk and refuses every other URL (STACK.md). The CJK
font comes from fontconfig ("Noto Sans CJK SC" on ``body`` and on ``@page``), never from ``@font-face``.
"""

from greenfactory.pdf import FetchRefused, LocalFetcher, base_url, cn_date, render_pdf  # noqa: F401 (re-exported)

MUNICIPAL_BUREAU = "深圳市工业和信息化局"
RULES = "《深圳市绿色工厂梯度培育管理实施细则》（深工信规〔2024〕9号）"


def publicity_notice(batch):
    """公示通知 (第十七条): the units in publicity, the period and how to object. No credit codes."""
    entries = batch.entries.select_related("dossier__organisation__district").order_by("position")
    return render_pdf(
        "notices/publicity.html",
        {
            "title": f"关于{batch.title}的公示",
            "rules": RULES,
            "starts_on": cn_date(batch.starts_on),
            "ends_on": cn_date(batch.ends_on),
            "contact": batch.contact,
            "entries": entries,
            # 第十七条: the notice says the units were reviewed only when every one of them was.
            "all_reviewed": not any(e.dossier.manual_selection_reason for e in entries),
            "issuer": MUNICIPAL_BUREAU,
            "date": cn_date(batch.starts_on),
        },
    )


def list_announcement(published_list):
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
    return render_pdf(
        "notices/list.html",
        {
            "title": published_list.title,
            "rules": RULES,
            "dossiers": rows,
            "issuer": MUNICIPAL_BUREAU,
            "date": cn_date(published_list.published_at),
        },
    )


def recommendation_letter(batch):
    """区级推荐函 (第十五条): the district bureau's letter sending its list to the city."""
    dossiers = list(batch.dossiers.select_related("organisation").order_by("organisation__name", "pk"))
    return render_pdf(
        "notices/recommendation.html",
        {
            "title": f"关于推荐{batch.cycle_year}年度绿色制造名单的函",
            "addressee": MUNICIPAL_BUREAU,
            "year": batch.cycle_year,
            "rules": RULES,
            "dossiers": dossiers,
            "note_paragraphs": [line.strip() for line in batch.note.splitlines() if line.strip()],
            "issuer": batch.district.bureau_name,
            "date": cn_date(batch.submitted_at),
        },
    )


def removal_notice(dossiers, *, decided_on):
    """移出名单公告 (第二十一条, 第二十二条): the units removed from the municipal list, the ground, and the
    facts and reasons recorded with the removal (the removal form promises to publish them)."""
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
                "ground_label": RemovalGround(ground).label if ground in RemovalGround.values else ground,
                "facts": removal.reason if removal else dossier.outcome_reason,
            }
        )
    return render_pdf(
        "notices/removal.html",
        {
            "title": "关于移出深圳市绿色制造名单单位的公告",
            "rules": RULES,
            "rows": rows,
            "issuer": MUNICIPAL_BUREAU,
            "date": cn_date(decided_on),
        },
    )
