"""Notice PDFs (registry/notices.py): text, dates, embedded CJK font, and no network."""

import datetime
import io
import socket

import pytest
from django.utils import translation
from pypdf import PdfReader
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError

from applications import services
from applications.models import Dossier, Kind, RemovalGround, State
from registry import notices
from registry.models import PublishedList
from reviews.models import PublicityBatch, PublicityEntry, RecommendationBatch
from tests.conftest import NO_REVIEW_IN_THIS_TEST, at, make_dossier
from tests.factories import OrganisationFactory, declare_eligible, district

UTC = datetime.UTC


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Rendering must never open a socket; fail loudly if it tries."""

    def refuse(*args, **kwargs):
        raise AssertionError("a notice tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def pdf_text(pdf):
    """The text of every page with white space removed (PDF text extraction spaces CJK unevenly)."""
    reader = PdfReader(io.BytesIO(pdf))
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


def page_count(pdf):
    return len(PdfReader(io.BytesIO(pdf)).pages)


def embedded_cjk_fonts(pdf):
    """/BaseFont names of the Noto CJK fonts used on the pages and embedded in the file (/FontFile*)."""
    found = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page["/Resources"].get_object().get("/Font")
        for ref in (fonts.get_object() if fonts else {}).values():
            font = ref.get_object()
            base = str(font.get("/BaseFont", ""))
            # WeasyPrint names the subset after the family ("/ABCDEF+Noto-Sans-CJK-SC-Bold").
            name = base.replace("-", "").replace(" ", "")
            descriptors = [font.get("/FontDescriptor")]
            descriptors += [d.get_object().get("/FontDescriptor") for d in font.get("/DescendantFonts", [])]
            embedded = any(
                key in descriptor.get_object()
                for descriptor in descriptors
                if descriptor is not None
                for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            if embedded and ("NotoSansCJK" in name or "NotoSerifCJK" in name):
                found.add(base)
    return found


def assert_cjk_embedded(pdf):
    assert pdf.startswith(b"%PDF-")
    assert embedded_cjk_fonts(pdf), "no embedded Noto CJK font: the text would be empty boxes"


@pytest.fixture
def publicity(world):
    """A running publicity batch of the two persona factories, in the order of the notice."""
    batch = PublicityBatch.objects.create(
        year=2026,
        title="2026年深圳市绿色工厂拟入选名单",
        starts_on=datetime.date(2026, 9, 28),
        ends_on=datetime.date(2026, 10, 9),
        contact="深圳市工业和信息化局节能处，电话：0755-88888888，地址：深圳市福田区福中三路市民中心",
        created_by=world.municipal,
    )
    for position, org in enumerate([world.org_b, world.org_a], 1):
        dossier = services.transition(
            make_dossier(org, State.IN_REVIEW),
            "select_for_publicity",
            publicity_ends_on=batch.ends_on,
            manual_reason=NO_REVIEW_IN_THIS_TEST,
        )
        PublicityEntry.objects.create(batch=batch, dossier=dossier, position=position, aggregate=90 - position)
    return batch


def test_publicity_notice_lists_units_period_and_objection_rules(world, publicity):
    pdf = notices.publicity_notice(publicity)
    text = pdf_text(pdf)

    assert_cjk_embedded(pdf)
    assert "关于2026年深圳市绿色工厂拟入选名单的公示" in text
    assert "第十七条" in text
    assert "深工信规〔2024〕9号" in text
    assert "公示期：2026年9月28日至2026年10月9日" in text
    for header in ("序号", "单位名称", "所属区", "类别"):
        assert header in text
    assert "1深圳市乙精密电子有限公司福田区绿色工厂" in text
    assert "2深圳市甲绿色制造有限公司南山区绿色工厂" in text
    assert "匿名异议不予受理" in text
    assert "加盖本单位公章" in text
    assert "予以保密" in text
    assert "0755-88888888" in text
    assert "深圳市工业和信息化局2026年9月28日" in text
    assert text.endswith(f"—{len(PdfReader(io.BytesIO(pdf)).pages)}—")  # GB/T 9704 page number


def test_publicity_notice_never_shows_the_credit_code(world, publicity):
    text = pdf_text(notices.publicity_notice(publicity))

    for org in (world.org_a, world.org_b):
        assert org.name in text
        assert org.credit_code not in text
    assert "统一社会信用代码" not in text


def test_notice_is_chinese_whatever_the_active_language(world, publicity):
    with translation.override("en"):
        text = pdf_text(notices.publicity_notice(publicity))

    assert "绿色工厂" in text
    assert "Green factory" not in text


def test_list_announcement_is_ordered_by_rank_and_dated_in_shanghai(world, publicity):
    published = PublishedList.objects.create(
        year=2026,
        title="2026年深圳市层面绿色工厂名单",
        publicity_batch=publicity,
        published_by=world.municipal,
        # 16:30 UTC on 12 October is already 13 October in Shenzhen.
        published_at=datetime.datetime(2026, 10, 12, 16, 30, tzinfo=UTC),
    )
    ranks = {world.org_a: 1, world.org_b: 2}
    for entry in publicity.entries.select_related("dossier__organisation"):
        Dossier.objects.filter(pk=entry.dossier_id).update(
            rank=ranks[entry.dossier.organisation], published_list=published
        )

    pdf = notices.list_announcement(published)
    text = pdf_text(pdf)

    assert_cjk_embedded(pdf)
    assert text.startswith("深圳市工业和信息化局〔草稿〕2026年深圳市层面绿色工厂名单")  # organ mark, draft 文号
    assert "第十七条" in text
    assert "无异议" in text
    assert "动态调整" in text
    assert "排名单位名称所属区类别" in text
    assert text.index("1深圳市甲绿色制造有限公司南山区") < text.index("2深圳市乙精密电子有限公司福田区")
    assert "深圳市工业和信息化局2026年10月13日" in text


def test_recommendation_letter_from_the_district_bureau(world):
    batch = RecommendationBatch.objects.create(
        district=district("nanshan"),
        cycle_year=2026,
        submitted_by=world.officer_nanshan,
        # 17:00 UTC on 28 May is 01:00 on 29 May in Shenzhen.
        submitted_at=datetime.datetime(2026, 5, 28, 17, 0, tzinfo=UTC),
        note="两家单位均已完成现场核查。\n\n其中一家委托第三方机构评价。",
    )
    second = OrganisationFactory(name="深圳市丁新能源科技有限公司", district=district("nanshan"))
    declare_eligible(second)
    for org in (world.org_a, second):
        dossier = make_dossier(org)
        Dossier.objects.filter(pk=dossier.pk).update(recommendation_batch=batch)

    pdf = notices.recommendation_letter(batch)
    text = pdf_text(pdf)

    assert_cjk_embedded(pdf)
    assert text.startswith("南山区工业和信息化局〔草稿〕关于推荐2026年度绿色制造名单的函深圳市工业和信息化局：")
    assert "第十五条" in text
    assert "5月30日前" in text
    assert "序号单位名称类别" in text
    assert "深圳市甲绿色制造有限公司绿色工厂" in text
    assert "深圳市丁新能源科技有限公司绿色工厂" in text
    assert "两家单位均已完成现场核查。" in text
    assert "其中一家委托第三方机构评价。" in text
    assert "南山区工业和信息化局2026年5月29日" in text
    assert world.org_a.credit_code not in text


def test_removal_notice_names_the_ground(world):
    grounds = {
        world.org_a: (Kind.FACTORY, RemovalGround.MAJOR_ACCIDENT),
        world.org_b: (Kind.SUPPLY_CHAIN, RemovalGround.ANNUAL_FORM_NOT_FILED),
    }
    removed = []
    for org, (kind, ground) in grounds.items():
        dossier = make_dossier(org, kind=kind)
        Dossier.objects.filter(pk=dossier.pk).update(removal_ground=ground, removed_on=datetime.date(2026, 11, 2))
        removed.append(Dossier.objects.get(pk=dossier.pk))

    pdf = notices.removal_notice(removed, decided_on=datetime.date(2026, 11, 2))
    text = pdf_text(pdf)

    assert_cjk_embedded(pdf)
    assert "第二十一条、第二十二条" in text
    assert "序号单位名称所属区类别移出事由" in text
    assert "1深圳市甲绿色制造有限公司南山区绿色工厂发生重大及以上生产安全或质量事故（第二十二条）" in text
    assert "2深圳市乙精密电子有限公司福田区绿色供应链管理企业拒不按时填报动态管理表（第二十一条第（二）项）" in text
    assert "深圳市工业和信息化局2026年11月2日" in text


def long_list(world, publicity, units):
    """A published list of ``units`` ranked units (also tests/test_pdf_user_agent.py)."""
    published = PublishedList.objects.create(
        year=2026, title="2026年深圳市层面绿色工厂名单", publicity_batch=publicity, published_by=world.municipal
    )
    rows = []
    for n in range(units):
        org = OrganisationFactory(name=f"深圳市第{n + 1}绿色制造有限公司", district=district("futian"))
        rows.append(Dossier(organisation=org, kind="factory", cycle_year=2026, rank=n + 1, published_list=published))
    Dossier.objects.bulk_create(rows)
    return published


def test_long_table_repeats_its_header_and_numbers_pages(world, publicity):
    published = long_list(world, publicity, 60)

    pdf = notices.list_announcement(published)
    reader = PdfReader(io.BytesIO(pdf))
    pages = ["".join(page.extract_text().split()) for page in reader.pages]

    assert len(pages) >= 2
    for number, page in enumerate(pages, 1):
        assert "排名单位名称所属区类别" in page
        assert page.endswith(f"—{number}—")  # GB/T 9704: "— 1 —"


def test_fetcher_refuses_the_network_and_files_outside_the_project():
    fetcher = notices.LocalFetcher()

    for url in (
        "http://example.com/notice.css",
        "https://example.com/notice.css",
        "ftp://example.com/notice.css",
        "file:///etc/passwd",
        "file://example.com/static/notices/notice.css",
        "file:///work/../etc/passwd",
        "file:///static/../../etc/passwd",
        "file:///static/notices/missing.css",
    ):
        with pytest.raises(notices.FetchRefused):
            fetcher.fetch(url)


def test_fetcher_serves_static_files_from_disk(settings):
    fetcher = notices.LocalFetcher()

    for url in ("file:///static/notices/notice.css", (settings.BASE_DIR / "static/notices/notice.css").as_uri()):
        response = fetcher.fetch(url)
        assert response.content_type == "text/css"
        assert b"@page" in response.read()
        response.close()


def test_rendering_stops_on_a_remote_stylesheet():
    html = '<html lang="zh-CN"><link rel="stylesheet" href="http://example.com/x.css"><p>公示</p></html>'

    with pytest.raises(FatalURLFetchingError):
        HTML(string=html, base_url=notices.base_url(), url_fetcher=notices.LocalFetcher()).write_pdf()


def test_cn_date():
    assert notices.cn_date(datetime.date(2026, 10, 9)) == "2026年10月9日"
    assert notices.cn_date(at(2026, 1, 5, 0, 30)) == "2026年1月5日"
    assert notices.cn_date(datetime.datetime(2026, 1, 4, 16, 30, tzinfo=UTC)) == "2026年1月5日"


def test_fetcher_refuses_private_uploads_and_the_database(settings, tmp_path):
    from pathlib import Path

    from registry.notices import FetchRefused, LocalFetcher

    secret = Path(settings.BASE_DIR) / "var" / "secret-for-test.txt"
    secret.write_text("x")
    try:
        with pytest.raises(FetchRefused):
            LocalFetcher.local_path(secret.as_uri())
    finally:
        secret.unlink()
