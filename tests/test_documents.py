"""Official documents (issue 11): GB/T 9704-2012 layout, 文号 registers, issued documents as records."""

import hashlib
import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from applications.models import RemovalGround, State
from registry import documents, notices
from registry.models import DocumentRegister, DocumentType, IssuedDocument, IssuingOrgan, Removal
from registry.services import remove_from_list
from tests.conftest import at, checked, make_dossier
from tests.factories import district

pytestmark = pytest.mark.django_db

FACTS = "2026年10月20日发生一起造成3人死亡的重大生产安全事故"
CITY_CONTACT = "节能与综合利用处 张三，0755-88100000"
NANSHAN_CONTACT = "南山区工信局 李四，0755-26600000"
NUMBER = re.compile(r"^(?P<prefix>\S+?)〔(?P<year>\d{4})〕(?P<n>\d+)号$")


def pdf_text(content):
    return "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(content)).pages)


def page_texts(content):
    return ["".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(content)).pages]


def fonts_of(content):
    """(base font name, embedded?) for every font used on any page, descendants of Type0 fonts included."""
    found = {}
    for page in PdfReader(io.BytesIO(content)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            described = [font]
            if "/DescendantFonts" in font:
                described = [d.get_object() for d in font["/DescendantFonts"]]
            for part in described:
                descriptor = part.get("/FontDescriptor")
                descriptor = descriptor.get_object() if descriptor is not None else {}
                embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                found[str(font["/BaseFont"]).split("+", 1)[-1]] = embedded
    return found


@pytest.fixture
def organs(world):
    IssuingOrgan.objects.filter(code="city").update(contact=CITY_CONTACT)
    IssuingOrgan.objects.filter(district=district("nanshan")).update(contact=NANSHAN_CONTACT)
    return IssuingOrgan.objects.get(code="city"), IssuingOrgan.objects.get(district=district("nanshan"))


@pytest.fixture
def listed(world, organs):
    return make_dossier(world.org_a, State.LISTED)


@pytest.fixture
def letter_batch(world, organs):
    from reviews.recommendation import recommend_batch

    dossier = checked(make_dossier(world.org_a, State.SUBMITTED, year=2027))
    return recommend_batch(
        district=district("nanshan"), cycle_year=2027, dossiers=[dossier], by=world.officer_nanshan, now=at(2027, 5, 20)
    )


@pytest.fixture
def removal(world, listed):
    remove_from_list(listed, ground=RemovalGround.MAJOR_ACCIDENT, reason=FACTS, by=world.municipal)
    return Removal.objects.get(dossier=listed)


def issue(document_type, subject, by, **kwargs):
    return documents.issue_for(document_type, subject, by=by, now=at(2026, 11, 29), **kwargs)


# --- Layout and text of each document ---------------------------------------------------------------------


def check_frame(document, *, organ_name, contact, letter=False):
    text = pdf_text(bytes(document.pdf))
    pages = page_texts(bytes(document.pdf))
    assert NUMBER.match(document.document_number).group("year") == "2026"
    assert document.document_number in text
    assert text.startswith(organ_name)  # 发文机关标志 heads the first page
    if letter:  # 信函格式: no page number on the first page
        assert not re.search(r"—\d+—", pages[0])
    else:  # page number between 一字线, no "第 1 页 共 1 页"
        assert pages[0].endswith("—1—") and all(p.endswith(f"—{i}—") for i, p in enumerate(pages, 1))
    assert "页" not in pages[0][-12:]
    assert f"（联系人及电话：{''.join(contact.split())}）" in text  # 附注
    fonts = fonts_of(bytes(document.pdf))
    assert all(fonts.values()), fonts  # every font embedded
    assert any(name.startswith("FandolFang") for name in fonts)  # 仿宋 body
    plain = [name.replace("-", "") for name in fonts]
    assert "NotoSerifCJKSCBold" in plain  # 小标宋-style title and organ mark
    assert letter or "NotoSerifCJKSC" in plain  # 宋体 page numbers
    return text


def test_publicity_notice_in_the_national_format(world, listed):
    batch = listed.publicity_entry.batch
    document = issue(DocumentType.PUBLICITY_NOTICE, batch, world.municipal)
    text = check_frame(document, organ_name="深圳市工业和信息化局", contact=batch.contact)
    assert NUMBER.match(document.document_number).group("prefix") == "深工信公示"
    assert f"关于{batch.title}的公示" in text and world.org_a.name in text
    assert text.index("深工信公示") < text.index("关于")  # 文号 in the header, above the title


def test_list_announcement_in_the_national_format(world, listed):
    published = listed.publicity_entry.batch.published_list
    document = issue(DocumentType.LIST_ANNOUNCEMENT, published, world.municipal)
    text = check_frame(document, organ_name="深圳市工业和信息化局", contact=CITY_CONTACT)
    assert document.document_number == "深工信公告〔2026〕1号"
    assert world.org_a.name in text and "特此公告" in text


def test_recommendation_letter_is_the_districts_with_addressee_and_contact(world, letter_batch):
    document = issue(DocumentType.RECOMMENDATION_LETTER, letter_batch, world.officer_nanshan)
    text = check_frame(document, organ_name="南山区工业和信息化局", contact=NANSHAN_CONTACT, letter=True)
    assert document.organ.district == district("nanshan")
    assert document.document_number == "南山工信函〔2026〕1号"
    assert "深圳市工业和信息化局：" in text  # 主送机关
    assert text.index("深圳市工业和信息化局：") > text.index("的函")


def test_removal_notice_prints_the_facts_the_ground_and_the_kind_and_level(world, removal):
    document = issue(DocumentType.REMOVAL_NOTICE, removal, world.municipal)
    text = check_frame(document, organ_name="深圳市工业和信息化局", contact=CITY_CONTACT)
    assert document.document_number == "深工信移〔2026〕1号"
    assert f"{world.org_a.name}南山区绿色工厂" in text  # name, district, kind
    assert "发生重大及以上生产安全或质量事故（第二十二条）" in text  # ground
    assert "名单级别：市级（2026年度）" in text  # level of the removed listing
    assert f"事实与理由：{FACTS}" in text


def test_letters_have_a_distinct_default_prefix_per_type_and_organ(world, organs):
    city, nanshan = organs
    prefixes = [documents.register_for(city, t, 2026).prefix for t in DocumentType.values]
    prefixes += [documents.register_for(nanshan, t, 2026).prefix for t in DocumentType.values]
    assert len(set(prefixes)) == len(prefixes)
    assert documents.register_for(nanshan, DocumentType.RECOMMENDATION_LETTER, 2026).prefix == "南山工信函"


# --- Numbering ----------------------------------------------------------------------------------------


def test_numbers_run_1_2_3_and_a_rolled_back_issue_takes_none(world, organs):
    city, _ = organs
    subject = world.org_a

    def render(number, dated=None):
        return f"%PDF-1.7 {number}".encode()

    def failing(number, dated=None):
        raise RuntimeError("renderer broke")

    first = documents.issue(DocumentType.CONFORMITY_LETTER, city, subject, title="一", render=render, by=None)
    with pytest.raises(RuntimeError):
        documents.issue(DocumentType.CONFORMITY_LETTER, city, subject, title="x", render=failing, by=None)
    second = documents.issue(DocumentType.CONFORMITY_LETTER, city, subject, title="二", render=render, by=None)
    third = documents.issue(DocumentType.CONFORMITY_LETTER, city, subject, title="三", render=render, by=None)

    assert [d.number for d in (first, second, third)] == [1, 2, 3]
    assert third.document_number == "深工信函〔2026〕3号"
    assert bytes(third.pdf) == "%PDF-1.7 深工信函〔2026〕3号".encode()
    assert DocumentRegister.objects.get(organ=city, document_type=DocumentType.CONFORMITY_LETTER).next_number == 4


def test_preview_takes_no_number_and_stores_nothing(world, listed):
    batch = listed.publicity_entry.batch
    pdf = documents.preview_for(DocumentType.PUBLICITY_NOTICE, batch)
    text = pdf_text(pdf)
    assert "深工信公示〔" in text and "〔草稿〕" in text and "草稿" in text.replace("〔草稿〕", "")
    assert IssuedDocument.objects.count() == 0
    assert not DocumentRegister.objects.filter(next_number__gt=1).exists()
    assert issue(DocumentType.PUBLICITY_NOTICE, batch, world.municipal).number == 1


def test_issuing_twice_is_refused_a_correction_references_the_old_number(world, listed):
    batch = listed.publicity_entry.batch
    original = issue(DocumentType.PUBLICITY_NOTICE, batch, world.municipal)
    with pytest.raises(documents.IssueRefused):
        issue(DocumentType.PUBLICITY_NOTICE, batch, world.municipal)

    correction = issue(DocumentType.PUBLICITY_NOTICE, batch, world.municipal, correct=True)

    assert correction.corrects == original and correction.number == 2
    assert f"本文件更正{original.document_number}" in pdf_text(bytes(correction.pdf))
    assert documents.current(DocumentType.PUBLICITY_NOTICE, batch) == correction
    IssuedDocument.objects.get(pk=original.pk)  # the corrected one stays on record


def test_a_prefix_another_register_of_the_year_uses_is_refused(world, organs):
    city, _ = organs
    register = documents.register_for(city, DocumentType.RECHECK_LETTER, 2026)
    documents.register_for(city, DocumentType.CONFORMITY_LETTER, 2026)
    with pytest.raises(documents.IssueRefused):
        documents.set_prefix(register, "深工信函", by=world.municipal)
    assert documents.set_prefix(register, "深工信复函", by=world.municipal).format(7) == "深工信复函〔2026〕7号"


# --- Screens ------------------------------------------------------------------------------------------


def test_city_previews_issues_and_downloads_the_stored_bytes(client, world, listed):
    batch = listed.publicity_entry.batch
    client.force_login(world.municipal)
    preview = client.get(reverse("document_preview", args=["publicity", batch.pk]))
    assert preview["Content-Type"] == "application/pdf" and "〔草稿〕" in pdf_text(preview.content)
    assert IssuedDocument.objects.count() == 0

    assert client.get(reverse("document_issue", args=["publicity", batch.pk])).status_code == 405
    response = client.post(reverse("document_issue", args=["publicity", batch.pk]), HTTP_ACCEPT_LANGUAGE="en")
    document = IssuedDocument.objects.get()
    assert response.status_code == 302

    download = client.get(reverse("publicity_notice_pdf", args=[batch.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert download.content == bytes(document.pdf)
    assert hashlib.sha256(download.content).hexdigest() == document.sha256
    stored = client.get(reverse("issued_document_pdf", args=[document.pk]))
    assert stored.content == bytes(document.pdf)


def test_the_public_downloads_exactly_the_issued_removal_notice(client, world, removal):
    document = issue(DocumentType.REMOVAL_NOTICE, removal, world.municipal)
    response = client.get(reverse("removal_pdf", args=[removal.pk]))
    assert response.content == bytes(document.pdf)
    assert hashlib.sha256(response.content).hexdigest() == document.sha256


def test_the_public_list_announcement_once_issued_is_the_stored_one(client, world, listed):
    published = listed.publicity_entry.batch.published_list
    document = issue(DocumentType.LIST_ANNOUNCEMENT, published, world.municipal)
    assert client.get(reverse("public_list_pdf", args=[published.pk])).content == bytes(document.pdf)


def test_only_the_district_issues_its_letter(client, world, letter_batch):
    client.force_login(world.municipal)
    assert client.post(reverse("document_issue", args=["recommendation", letter_batch.pk])).status_code == 404
    client.force_login(world.officer_futian)
    assert client.post(reverse("document_issue", args=["recommendation", letter_batch.pk])).status_code == 404
    assert client.get(reverse("document_preview", args=["recommendation", letter_batch.pk])).status_code == 404
    client.force_login(world.officer_nanshan)
    client.post(reverse("document_issue", args=["recommendation", letter_batch.pk]))
    document = IssuedDocument.objects.get()
    assert (document.organ.district, document.issued_by) == (district("nanshan"), world.officer_nanshan)
    # The city reads the letter it received, byte for byte.
    client.force_login(world.municipal)
    assert client.get(reverse("recommendation_letter_pdf", args=[letter_batch.pk])).content == bytes(document.pdf)


def test_districts_cannot_issue_city_documents(client, world, listed):
    client.force_login(world.officer_nanshan)
    batch = listed.publicity_entry.batch
    assert client.post(reverse("document_issue", args=["publicity", batch.pk])).status_code == 404
    assert IssuedDocument.objects.count() == 0


def test_issued_documents_list_is_scoped(client, world, listed, letter_batch):
    city_doc = issue(DocumentType.PUBLICITY_NOTICE, listed.publicity_entry.batch, world.municipal)
    letter = issue(DocumentType.RECOMMENDATION_LETTER, letter_batch, world.officer_nanshan)

    client.force_login(world.municipal)
    assert {d.pk for d in client.get(reverse("issued_documents")).context["documents"]} == {city_doc.pk, letter.pk}
    client.force_login(world.officer_nanshan)
    assert [d.pk for d in client.get(reverse("issued_documents")).context["documents"]] == [letter.pk]
    assert client.get(reverse("issued_document_pdf", args=[city_doc.pk])).status_code == 200  # public notice
    client.force_login(world.officer_futian)
    assert list(client.get(reverse("issued_documents")).context["documents"]) == []
    assert client.get(reverse("issued_document_pdf", args=[letter.pk])).status_code == 404
    client.force_login(world.applicant_a)
    assert client.get(reverse("issued_documents")).status_code == 404


def test_registers_screen_is_scoped_and_sets_a_prefix(client, world, organs):
    city, nanshan = organs
    city_register = documents.register_for(city, DocumentType.RECHECK_LETTER, 2026)
    nanshan_register = documents.register_for(nanshan, DocumentType.RECOMMENDATION_LETTER, 2026)
    futian_register = documents.register_for(
        IssuingOrgan.objects.get(district=district("futian")), DocumentType.RECOMMENDATION_LETTER, 2026
    )

    client.force_login(world.officer_nanshan)
    page = client.get(reverse("document_registers"))
    assert {r.pk for r in page.context["registers"]} >= {nanshan_register.pk}
    assert not {r.pk for r in page.context["registers"]} & {city_register.pk, futian_register.pk}
    response = client.post(reverse("document_registers"), {"register": city_register.pk, "prefix": "南山乱"})
    assert response.status_code == 404
    client.post(reverse("document_registers"), {"register": nanshan_register.pk, "prefix": "南山工信推函"})
    nanshan_register.refresh_from_db()
    assert nanshan_register.prefix == "南山工信推函"

    client.force_login(world.municipal)
    client.post(reverse("document_registers"), {"register": city_register.pk, "prefix": "深工信复核函"})
    city_register.refresh_from_db()
    assert city_register.prefix == "深工信复核函"
    assert nanshan_register.pk not in {r.pk for r in client.get(reverse("document_registers")).context["registers"]}


def test_render_every_document_for_a_look(world, listed, letter_batch):
    """Writes /tmp/doc_*.pdf (issued and a draft) for looking at the pages beside a real notice."""
    batch = listed.publicity_entry.batch
    removal_pdfs = {
        "publicity": issue(DocumentType.PUBLICITY_NOTICE, batch, world.municipal),
        "list": issue(DocumentType.LIST_ANNOUNCEMENT, batch.published_list, world.municipal),
        "recommendation": issue(DocumentType.RECOMMENDATION_LETTER, letter_batch, world.officer_nanshan),
    }
    remove_from_list(listed, ground=RemovalGround.MAJOR_ACCIDENT, reason=FACTS, by=world.municipal)
    removal_pdfs["removal"] = issue(DocumentType.REMOVAL_NOTICE, Removal.objects.get(), world.municipal)
    for name, document in removal_pdfs.items():
        with open(f"/tmp/doc_{name}.pdf", "wb") as out:
            out.write(bytes(document.pdf))
    with open("/tmp/doc_draft.pdf", "wb") as out:
        out.write(documents.preview_for(DocumentType.PUBLICITY_NOTICE, batch))
    assert notices.is_draft(notices.DRAFT_MARK) and not notices.is_draft("深工信函〔2026〕1号")


# --- Concurrency (PostgreSQL) -------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_on_one_register_get_consecutive_distinct_numbers(world):
    import threading

    from django.db import connection

    city = IssuingOrgan.objects.get(code="city")
    documents.register_for(city, DocumentType.CONFORMITY_LETTER, 2026)
    workers = 4
    barrier = threading.Barrier(workers)
    numbers, errors = [], []

    def attempt(i):
        try:
            barrier.wait()
            document = documents.issue(
                DocumentType.CONFORMITY_LETTER,
                city,
                world.org_a,
                title=f"函{i}",
                render=lambda number, dated=None: f"%PDF-1.7 {number}".encode(),
                by=None,
                now=at(2026, 11, 29),
            )
            numbers.append(document.number)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    assert errors == []
    assert sorted(numbers) == [1, 2, 3, 4]
    stored = list(IssuedDocument.objects.order_by("number").values_list("document_number", flat=True))
    assert stored == [f"深工信函〔2026〕{n}号" for n in range(1, 5)]
    assert DocumentRegister.objects.get(organ=city, document_type=DocumentType.CONFORMITY_LETTER).next_number == 5


def test_the_batch_page_offers_preview_and_issue_then_the_issued_number(client, world, listed):
    batch = listed.publicity_entry.batch
    client.force_login(world.municipal)
    page = client.get(reverse("publicity_batch", args=[batch.pk])).content.decode()
    assert 'data-testid="preview-draft"' in page and 'data-testid="issue-document"' in page
    document = issue(DocumentType.PUBLICITY_NOTICE, batch, world.municipal)
    page = client.get(reverse("publicity_batch", args=[batch.pk])).content.decode()
    assert document.document_number in page and 'data-testid="issue-correction"' in page
    publicity_actions = page.split('data-testid="document-actions-publicity"')[1].split(
        'data-testid="document-actions-'
    )[0]
    assert 'data-testid="issue-document"' not in publicity_actions
