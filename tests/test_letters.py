"""The city's letters to a district bureau (issue 11): the conformity check result (第十六条) and the recheck
decision (第二十一条), in GB/T 9704 letter format, issued with a 文号, seen by whom they concern; and the
public never given a draft."""

import datetime

import pytest
from django.urls import reverse

from accounts.models import Notification
from applications import services
from applications.models import State
from registry import documents, rechecks
from registry.models import DocumentType, IssuedDocument, PublishedList, Recheck, Removal
from registry.services import remove_from_list
from reviews import conformity
from reviews.models import CONFORMITY_ITEMS, ConformityCheck
from tests.conftest import at, make_dossier
from tests.test_documents import CITY_CONTACT, FACTS, check_frame, organs, pdf_text  # noqa: F401 (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("organs")]

ISSUED_AT = at(2026, 11, 29)


def issue(document_type, subject, by, **kwargs):
    return documents.issue_for(document_type, subject, by=by, now=ISSUED_AT, **kwargs)


def conformity_check(world, *, failed=(), reasons=""):
    dossier = make_dossier(world.org_a, State.RECOMMENDED)
    results = {key: key not in failed for key, _label in CONFORMITY_ITEMS}
    conformity.record_conformity(dossier, results=results, reasons=reasons, by=world.municipal)
    return ConformityCheck.objects.get(dossier=dossier)


def decided_recheck(world, decision, *, note="同意", rectify_by=None, in_futian=False):
    organisation, officer = (world.org_b, world.officer_futian) if in_futian else (world.org_a, world.officer_nanshan)
    dossier = make_dossier(organisation, State.LISTED)
    services.transition(dossier, "open_recheck", by=officer, reason="三年复核")
    recheck = rechecks.recheck_of(dossier)
    rechecks.propose_recheck(
        recheck, findings="能耗指标保持行业先进\n已完成清洁生产审核", proposal=decision, by=officer
    )
    rechecks.decide_recheck(recheck, decision=decision, note=note, rectify_by=rectify_by, by=world.municipal)
    return Recheck.objects.select_related("dossier__organisation__district").get(pk=recheck.pk)


# --- The conformity letter (第十六条) ----------------------------------------------------------------------


def test_conformity_letter_to_the_district_bureau_in_letter_format(world):
    check = conformity_check(world)
    document = issue(DocumentType.CONFORMITY_LETTER, check, world.municipal)

    text = check_frame(document, organ_name="深圳市工业和信息化局", contact=CITY_CONTACT, letter=True)
    assert document.document_number == "深工信函〔2026〕1号"
    assert document.dossier == check.dossier
    assert "南山区工业和信息化局：" in text  # 主送机关: the recommending district's bureau
    assert f"关于{world.org_a.name}2026年度绿色制造申报材料符合性审核结果的函" in text
    assert text.count("符合") >= len(CONFORMITY_ITEMS) and "不符合" not in text
    assert "通过符合性审核" in text and "第十六条" in text
    assert "2026年11月29日" in text  # 成文日期 is the day of issue
    assert text.index("特此函告") < text.index("深圳市工业和信息化局2026年11月29日")


def test_a_failed_check_letter_names_the_failed_item_and_the_reasons(world):
    reasons = "能源管理体系认证证书已过期\n未提供第三方评价报告的签章页"
    check = conformity_check(world, failed=("complete",), reasons=reasons)
    text = pdf_text(bytes(issue(DocumentType.CONFORMITY_LETTER, check, world.municipal).pdf))
    assert "材料齐全并已签章不符合" in text.replace("（", "").replace("）", "")
    assert "未通过符合性审核" in text
    assert "能源管理体系认证证书已过期" in text and "未提供第三方评价报告的签章页" in text


def test_the_district_is_told_and_reads_the_letter_others_do_not(client, world, django_capture_on_commit_callbacks):
    check = conformity_check(world)
    client.force_login(world.municipal)
    page = client.get(reverse("dossier_detail", args=[check.dossier_id]))
    assert b'data-testid="document-actions-conformity"' in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("document_issue", args=["conformity", check.pk]), {"next": "/"})
    assert response.status_code == 302
    document = IssuedDocument.objects.get(document_type=DocumentType.CONFORMITY_LETTER)

    inbox = Notification.objects.filter(recipient=world.officer_nanshan)
    assert inbox.filter(title__startswith=document.document_number).exists()
    assert not Notification.objects.filter(recipient=world.officer_futian).exists()

    url = reverse("issued_document_pdf", args=[document.pk])
    for user, status in [
        (world.officer_nanshan, 200),  # the addressee
        (world.applicant_a, 200),  # the unit it concerns
        (world.officer_futian, 404),
        (world.applicant_b, 404),
        (world.agency_user, 404),
    ]:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == status, user
        if status == 200:
            assert b"".join(response.streaming_content if response.streaming else [response.content]) == bytes(
                document.pdf
            )
    client.force_login(world.applicant_a)
    page = client.get(reverse("dossier_detail", args=[check.dossier_id]))
    assert document.document_number in page.content.decode()
    client.logout()
    assert client.get(url).status_code == 404  # a letter is not public


def test_only_the_city_issues_the_conformity_letter(client, world):
    check = conformity_check(world)
    client.force_login(world.officer_nanshan)
    assert client.post(reverse("document_issue", args=["conformity", check.pk])).status_code == 404
    assert client.get(reverse("document_preview", args=["conformity", check.pk])).status_code == 404
    assert not IssuedDocument.objects.exists()


# --- The recheck letter (第二十一条) -----------------------------------------------------------------------


def test_recheck_letter_is_refused_until_the_city_decides(world):
    dossier = make_dossier(world.org_a, State.LISTED)
    services.transition(dossier, "open_recheck", by=world.officer_nanshan, reason="三年复核")
    recheck = rechecks.recheck_of(dossier)
    with pytest.raises(documents.IssueRefused, match="第二十一条"):
        issue(DocumentType.RECHECK_LETTER, recheck, world.municipal)
    assert not IssuedDocument.objects.exists()


def test_recheck_letter_keep_states_the_next_recheck(world):
    recheck = decided_recheck(world, Recheck.Proposal.KEEP, note="同意保留")
    document = issue(DocumentType.RECHECK_LETTER, recheck, world.municipal)
    text = check_frame(document, organ_name="深圳市工业和信息化局", contact=CITY_CONTACT, letter=True)
    assert document.document_number == "深工信核函〔2026〕1号"
    assert "南山区工业和信息化局：" in text and "第二十一条" in text
    assert "我局决定保留该单位深圳市绿色制造名单资格" in text
    due = recheck.dossier.next_recheck_due
    assert f"下一次复核时间为{due.year}年{due.month}月{due.day}日" in text
    assert "能耗指标保持行业先进" in text and "同意保留" in text


def test_recheck_letter_rectify_states_the_deadline(world):
    recheck = decided_recheck(world, Recheck.Proposal.RECTIFY, note="限期整改", rectify_by=datetime.date(2027, 3, 31))
    text = pdf_text(bytes(issue(DocumentType.RECHECK_LETTER, recheck, world.municipal).pdf))
    assert "请该单位于2027年3月31日前完成整改" in text


def test_recheck_letter_remove_and_the_rechecks_page_offers_it(client, world):
    recheck = decided_recheck(world, Recheck.Proposal.REMOVE, note="连续停产超过12个月")
    client.force_login(world.municipal)
    page = client.get(reverse("rechecks"))
    assert b'data-testid="document-actions-recheck"' in page.content
    client.post(reverse("document_issue", args=["recheck", recheck.pk]))
    document = IssuedDocument.objects.get(document_type=DocumentType.RECHECK_LETTER)
    text = pdf_text(bytes(document.pdf))
    assert "将该单位移出深圳市绿色制造名单" in text and "连续停产超过12个月" in text
    client.force_login(world.officer_nanshan)
    assert document.document_number in client.get(reverse("rechecks")).content.decode()


# --- Issue date and the public -------------------------------------------------------------------------


def test_a_document_is_dated_the_day_it_is_issued_not_the_event(world):
    listed = make_dossier(world.org_a, State.LISTED)
    batch = listed.publicity_entry.batch
    assert batch.starts_on != ISSUED_AT.date()
    text = pdf_text(bytes(issue(DocumentType.PUBLICITY_NOTICE, batch, world.municipal).pdf))
    assert "2026年11月29日" in text


def test_the_public_never_gets_a_draft(client, world):
    listed = make_dossier(world.org_a, State.LISTED)
    published = PublishedList.objects.get()
    url = reverse("public_list_pdf", args=[published.pk])

    response = client.get(url)  # anonymous, before issue
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
    assert "尚未签发" in response.content.decode() or "not been issued" in response.content.decode()
    assert published.title.encode() in client.get(reverse("public_lists")).content
    assert url.encode() not in client.get(reverse("public_lists")).content  # no link to a PDF not issued

    client.force_login(world.municipal)  # the issuer previews the draft
    draft = client.get(url)
    assert draft["Content-Type"] == "application/pdf" and "〔草稿〕" in pdf_text(draft.content)

    document = issue(DocumentType.LIST_ANNOUNCEMENT, published, world.municipal)
    client.logout()
    assert client.get(url).content == bytes(document.pdf)
    lists_page = client.get(reverse("public_lists")).content.decode()
    assert url in lists_page and document.document_number in lists_page

    remove_from_list(listed, ground="major_accident", reason=FACTS, by=world.municipal)
    removal = Removal.objects.get()
    assert client.get(reverse("removal_pdf", args=[removal.pk])).status_code == 404


def test_removals_are_paginated_with_the_total(client, world, monkeypatch):
    from registry.views import public

    monkeypatch.setattr(public, "REMOVALS_PER_PAGE", 1)
    for organisation in (world.org_a, world.org_b):
        dossier = make_dossier(organisation, State.LISTED)
        remove_from_list(dossier, ground="major_accident", reason=FACTS, by=world.municipal)
    first = client.get(reverse("public_removals"))
    second = client.get(reverse("public_removals"), {"page": 2})
    names = {world.org_a.name, world.org_b.name}
    assert first.context["page"].paginator.count == 2
    shown = {r.dossier.organisation.name for r in first.context["removals"]} | {
        r.dossier.organisation.name for r in second.context["removals"]
    }
    assert shown == names
    assert b'data-testid="removal-pages"' in first.content


def test_render_the_letters_for_a_look(world):
    """Writes /tmp/doc_conformity.pdf and /tmp/doc_recheck.pdf for looking at them beside a real letter."""
    check = conformity_check(world, failed=("complete", "consistency"), reasons="能源管理体系认证证书已过期")
    letters = {"conformity": issue(DocumentType.CONFORMITY_LETTER, check, world.municipal)}
    recheck = decided_recheck(
        world, Recheck.Proposal.RECTIFY, note="限期整改", rectify_by=datetime.date(2027, 3, 31), in_futian=True
    )
    letters["recheck"] = issue(DocumentType.RECHECK_LETTER, recheck, world.municipal)
    for name, document in letters.items():
        with open(f"/tmp/doc_{name}.pdf", "wb") as out:
            out.write(bytes(document.pdf))
    assert all(document.dossier_id for document in letters.values())
