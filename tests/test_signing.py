"""Signed, verifiable PDFs (issue 11): PAdES signatures by the issuing organ, the demo PKI and 样章, and the
public verification page (greenfactory/signing.py, registry/views/verify.py)."""

import asyncio
import datetime
import hashlib
import importlib
import io
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image
from pypdf import PdfReader
from weasyprint import HTML

from greenfactory import demo_pki, signing
from registry.models import DocumentRegister, DocumentType, IssuedDocument, IssuingOrgan

BODY = "<p>关于深圳市2026年度绿色工厂拟认定名单的公示</p>"
SIGNATURE_BLOCK = '<div style="margin-top:120px;text-align:right">深圳市工业和信息化局{anchor}<br>2026年10月9日</div>'


def render(pages=1, anchor=True):
    """A small notice-like PDF; ``anchor`` puts the 落款's ``id="seal"`` point after the organ's name."""
    breaks = "".join('<p style="page-break-before:always">第二页正文</p>' for _ in range(pages - 1))
    html = (
        '<html lang="zh-CN"><body style="font-family: \'Noto Sans CJK SC\'">'
        + BODY
        + breaks
        + SIGNATURE_BLOCK.format(anchor='<span id="seal"></span>' if anchor else "")
        + "</body></html>"
    )
    return HTML(string=html).write_pdf()


@pytest.fixture(scope="session")
def pki_dir(tmp_path_factory, django_db_setup, django_db_blocker):
    """The demo PKI made once for the session by the command bin/run calls, into a folder of its own."""
    directory = tmp_path_factory.mktemp("pki")
    with django_db_blocker.unblock():
        if not IssuingOrgan.objects.filter(code="city").exists():  # a transactional test flushed the seed
            importlib.import_module("applications.migrations.0002_districts").seed(apps, None)
            importlib.import_module("registry.migrations.0008_issuing_organs").seed(apps, None)
        with override_settings(SIGNING_DIR=str(directory)):
            call_command("setup_demo_pki", stdout=io.StringIO())
    return directory


@pytest.fixture(autouse=True)
def _signing_dir(settings, pki_dir):
    settings.SIGNING_DIR = str(pki_dir)


@pytest.fixture
def city(districts):
    return IssuingOrgan.objects.get(code="city")


@pytest.fixture(scope="session")
def signed_pdf(pki_dir):
    """One signed notice for the tests that only read it (signing takes about a second)."""
    with override_settings(SIGNING_DIR=str(pki_dir)):
        return signing.sign_pdf(render(), SimpleNamespace(code="city", name="深圳市工业和信息化局"))


def issue(organ, pdf, *, document_type=DocumentType.PUBLICITY_NOTICE, number=7):
    register, _ = DocumentRegister.objects.get_or_create(
        organ=organ, document_type=document_type, year=2026, defaults={"prefix": "深工信函"}
    )
    return IssuedDocument.objects.create(
        register=register,
        number=number,
        document_number=register.format(number),
        document_type=document_type,
        organ=organ,
        title="关于深圳市2026年度绿色工厂拟认定名单的公示",
        subject_type="reviews.publicitybatch",
        subject_id=1,
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        signed=True,
        signer=organ.name + demo_pki.DEMO_SUFFIX,
    )


def tampered(pdf):
    """One byte changed inside the signed range: the producer's name in the document information."""
    at = pdf.index(b"WeasyPrint")
    assert at < signed_ranges(pdf)[0][1]
    return pdf[:at] + b"w" + pdf[at + 1 :]


def signed_ranges(pdf):
    field = next(a.get_object() for a in PdfReader(io.BytesIO(pdf)).pages[-1]["/Annots"])
    start1, len1, start2, len2 = field["/V"]["/ByteRange"]
    return [(start1, start1 + len1), (start2, start2 + len2)]


def english_client():
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# --- signing and verifying -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_signed_pdf_is_signed_intact_and_trusted_by_the_organ(city, signed_pdf):
    result = signing.verify_pdf(signed_pdf)

    assert (result.signed, result.intact, result.trusted) == (True, True, True)
    assert result.signer_name == city.name + " (演示)"
    assert abs(result.signed_at - timezone.now()) < datetime.timedelta(minutes=10)
    assert result.document is None  # signed, but never issued: not an issued document
    assert result.authentic is False
    # The signed range covers the whole file but the signature itself (PAdES, one revision).
    (a, _b), (_c, d) = signed_ranges(signed_pdf)
    assert (a, d) == (0, len(signed_pdf))


@pytest.mark.django_db
def test_signature_is_pades_and_certifies_no_changes(signed_pdf):
    field = next(a.get_object() for a in PdfReader(io.BytesIO(signed_pdf)).pages[-1]["/Annots"])

    assert field["/V"]["/SubFilter"] == "/ETSI.CAdES.detached"
    assert field["/V"]["/Reference"][0]["/TransformParams"]["/P"] == 1


@pytest.mark.django_db
def test_one_byte_changed_inside_the_signed_range_is_not_intact(city, signed_pdf):
    result = signing.verify_pdf(tampered(signed_pdf))

    assert result.signed is True
    assert result.intact is False
    assert result.authentic is False


@pytest.mark.django_db
def test_any_single_changed_byte_is_never_authentic(city):
    pdf = signing.sign_pdf(render(), city)
    issue(city, pdf)
    assert signing.verify_pdf(pdf).authentic is True
    (_a, b), (c, _d) = signed_ranges(pdf)
    # The header, the body, the signature's own bytes, and the last byte of the file.
    for at in (3, b // 2, b - 5, c - 100, len(pdf) // 2, len(pdf) - 1):
        changed = bytearray(pdf)
        changed[at] ^= 0x01
        result = signing.verify_pdf(bytes(changed))
        assert result.authentic is False, at
        assert result.document is None, at


@pytest.mark.django_db
def test_appending_an_update_after_signing_is_not_intact(city, signed_pdf):
    result = signing.verify_pdf(signed_pdf + b"\n% appended\n")

    assert result.intact is False


@pytest.mark.django_db
def test_signed_by_a_key_outside_the_platform_ca_is_not_trusted(city, tmp_path, settings, pki_dir):
    rogue_dir = tmp_path / "rogue"
    demo_pki.ensure_demo_pki([city], rogue_dir)  # a CA of its own, same organ name
    settings.SIGNING_DIR = str(rogue_dir)
    pdf = signing.sign_pdf(render(), city)
    settings.SIGNING_DIR = str(pki_dir)

    result = signing.verify_pdf(pdf)

    assert (result.signed, result.intact, result.trusted) == (True, True, False)
    assert result.signer_name == city.name + " (演示)"
    assert result.authentic is False


@pytest.mark.django_db
def test_unsigned_pdf_and_garbage(city):
    assert signing.verify_pdf(render()).signed is False
    garbage = signing.verify_pdf(b"%PDF-1.7\nnot really a pdf")
    assert (garbage.signed, garbage.intact, garbage.authentic) == (False, False, False)


@pytest.mark.django_db
def test_organ_without_key_cannot_sign(city):
    organ = IssuingOrgan.objects.create(code="nowhere", name="某区工业和信息化局")

    assert signing.can_sign(organ) is False
    with pytest.raises(signing.SigningNotConfigured):
        signing.sign_pdf(render(), organ)


@pytest.mark.django_db
def test_seal_sits_on_the_seal_anchor_of_the_last_page(city):
    pdf = signing.sign_pdf(render(pages=2), city)
    unsigned = PdfReader(io.BytesIO(render(pages=2)))
    anchor = unsigned.named_destinations["seal"]
    reader = PdfReader(io.BytesIO(pdf))

    assert "/Annots" not in reader.pages[0]
    widget = next(a.get_object() for a in reader.pages[1]["/Annots"])
    x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    assert x1 < float(anchor["/Left"]) < x2 and y1 < float(anchor["/Top"]) < y2
    assert (round(x2 - x1), round(y2 - y1)) == signing.DEFAULT_SEAL_SIZE
    # The appearance draws the organ's seal image.
    assert draws_an_image(widget["/AP"]["/N"])


def draws_an_image(xobject, depth=0):
    xobject = xobject.get_object()
    if xobject.get("/Subtype") == "/Image":
        return True
    inner = xobject.get("/Resources", {}).get("/XObject", {})
    return depth < 5 and any(draws_an_image(x, depth + 1) for x in inner.values())


@pytest.mark.django_db
def test_without_anchor_the_seal_goes_to_the_configured_box_on_the_last_page(city, settings):
    settings.SIGNING_SEAL_BOX = (300, 100, 428, 180)
    pdf = signing.sign_pdf(render(pages=3, anchor=False), city)
    reader = PdfReader(io.BytesIO(pdf))

    widget = next(a.get_object() for a in reader.pages[2]["/Annots"])
    assert [round(float(v)) for v in widget["/Rect"]] == [300, 100, 428, 180]
    assert signing.verify_pdf(pdf).intact is True


# --- the demo PKI ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_pki_has_a_certificate_and_a_demo_seal_per_organ(pki_dir, districts):
    from cryptography import x509

    ca = x509.load_pem_x509_certificate((pki_dir / "ca.cert.pem").read_bytes())
    assert ca.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value == demo_pki.CA_NAME
    organs = list(IssuingOrgan.objects.all())
    assert len(organs) == 12  # the city bureau and 11 district bureaus
    for organ in organs:
        paths = signing.organ_paths(organ)
        cert = x509.load_pem_x509_certificate(paths.cert.read_bytes())
        cert.verify_directly_issued_by(ca)
        common_name = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value
        assert common_name == organ.name + " (演示)"
        with Image.open(paths.seal) as seal:
            assert seal.size == demo_pki.SEAL_PIXELS
            assert seal.mode == "RGBA"


@pytest.mark.django_db
def test_demo_seal_is_a_blue_stamp_with_text_never_red(pki_dir, city):
    with Image.open(signing.organ_paths(city).seal) as seal:
        pixels = [p for p in seal.get_flattened_data() if p[3] > 200]
    ink = sum(1 for r, g, b, _ in pixels if b > r + 40)
    red = sum(1 for r, g, b, _ in pixels if r > g + 60 and r > b + 60)
    assert ink > 10_000 and red == 0
    # The top line reads 样章 · 演示用: drawing it alone in the same font covers the same region's ink.
    path, index = demo_pki.cjk_font_file()
    assert path.endswith(".ttc") or path.endswith(".otf") or path.endswith(".ttf")
    from PIL import ImageFont

    font = ImageFont.truetype(path, 92, index=index)
    assert font.getname()[0] == "Noto Sans CJK SC"
    reference = Image.new("L", demo_pki.SEAL_PIXELS, 0)
    from PIL import ImageDraw

    ImageDraw.Draw(reference).text((400, 120), "样章 · 演示用", font=font, fill=255, anchor="mm")
    with Image.open(signing.organ_paths(city).seal) as seal:
        alpha = seal.getchannel("A")
    drawn = [(a > 128) for a in alpha.crop((60, 60, 740, 180)).get_flattened_data()]
    expected = [(v > 128) for v in reference.crop((60, 60, 740, 180)).get_flattened_data()]
    same = sum(1 for d, e in zip(drawn, expected, strict=True) if d == e)
    assert same / len(expected) > 0.97


@pytest.mark.django_db
def test_setup_demo_pki_is_idempotent(pki_dir, districts):
    before = {p.name: p.read_bytes() for p in pki_dir.iterdir()}
    out = io.StringIO()

    call_command("setup_demo_pki", stdout=out)

    assert {p.name: p.read_bytes() for p in pki_dir.iterdir()} == before
    assert "created 0" in out.getvalue()


@pytest.mark.django_db
def test_bin_run_sets_up_the_demo_pki():
    run = (settings.BASE_DIR / "bin" / "run").read_text()
    assert run.index("manage.py setup_demo_pki") > run.index("manage.py seed_demo")


# --- the public verification page ------------------------------------------------------------------------


@pytest.mark.django_db
def test_verify_page_is_public_and_linked_from_the_footer(districts):
    response = english_client().get(reverse("verify_document"))

    assert response.status_code == 200
    assert f'href="{reverse("verify_document")}"' in response.content.decode()


@pytest.mark.django_db
def test_verify_by_number_shows_the_issued_document_and_its_exact_bytes(city, signed_pdf):
    document = issue(city, signed_pdf)
    typed = "深工信函 [2026] 7 号"  # brackets and spaces as a citizen types them

    response = english_client().get(reverse("verify_document"), {"number": typed})

    page = response.content.decode()
    assert response.context["document"] == document
    assert 'data-testid="number-found"' in page
    assert document.sha256 in page
    assert city.name in page
    download = english_client().get(reverse("verified_document_pdf", args=[document.pk]))
    assert download.status_code == 200
    assert download.content == signed_pdf
    assert download["Content-Type"] == "application/pdf"


@pytest.mark.django_db
def test_verify_by_number_of_a_letter_confirms_it_without_handing_it_out(city, signed_pdf):
    document = issue(city, signed_pdf, document_type=DocumentType.RECOMMENDATION_LETTER, number=3)

    page = english_client().get(reverse("verify_document"), {"number": document.document_number}).content.decode()

    assert 'data-testid="number-found"' in page
    assert 'data-testid="document-download"' not in page
    assert english_client().get(reverse("verified_document_pdf", args=[document.pk])).status_code == 404


@pytest.mark.django_db
def test_verify_by_unknown_number_says_not_issued(districts):
    response = english_client().get(reverse("verify_document"), {"number": "深工信函〔2026〕999号"})

    assert response.context["document"] is None
    assert 'data-testid="number-not-found"' in response.content.decode()


@pytest.mark.django_db
def test_upload_of_the_issued_pdf_is_authentic(city, signed_pdf):
    document = issue(city, signed_pdf)

    response = english_client().post(
        reverse("verify_document"), {"pdf": SimpleUploadedFile("notice.pdf", signed_pdf, "application/pdf")}
    )

    result = response.context["result"]
    page = response.content.decode()
    assert result.authentic is True
    assert result.document == document
    assert 'data-authentic="yes"' in page
    assert f"Authentic: this file is issued document {document.document_number}, unaltered." in page
    assert city.name + " (演示)" in page


@pytest.mark.django_db
def test_upload_of_a_tampered_copy_says_altered(city, signed_pdf):
    issue(city, signed_pdf)

    response = english_client().post(
        reverse("verify_document"),
        {"pdf": SimpleUploadedFile("notice.pdf", tampered(signed_pdf), "application/pdf")},
    )

    page = response.content.decode()
    assert response.context["result"].intact is False
    assert 'data-authentic="no"' in page
    assert "Altered: this file was changed after it was signed." in page


@pytest.mark.django_db
def test_upload_of_an_unsigned_pdf_is_not_an_issued_document(city):
    response = english_client().post(
        reverse("verify_document"), {"pdf": SimpleUploadedFile("x.pdf", render(), "application/pdf")}
    )

    assert "Not an issued document" in response.content.decode()


@pytest.mark.django_db
def test_upload_refuses_what_is_not_a_pdf_and_what_is_too_large(districts, settings, signed_pdf):
    with translation.override("en"):
        response = english_client().post(
            reverse("verify_document"), {"pdf": SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")}
        )
        assert "result" not in response.context
        assert response.context["upload_form"].errors["pdf"][0].startswith("This file is not a PDF")

        settings.MAX_UPLOAD_BYTES = 1000
        response = english_client().post(
            reverse("verify_document"), {"pdf": SimpleUploadedFile("x.pdf", signed_pdf, "application/pdf")}
        )
        assert "result" not in response.context
        assert response.context["upload_form"].errors["pdf"]


@pytest.mark.django_db
def test_upload_needs_the_csrf_token(districts, signed_pdf):
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        reverse("verify_document"), {"pdf": SimpleUploadedFile("x.pdf", signed_pdf, "application/pdf")}
    )

    assert response.status_code == 403


@pytest.mark.django_db
def test_uploads_are_rate_limited_per_address(districts, settings):
    settings.RATELIMITS = {**settings.RATELIMITS, "verify": (2, 3600)}
    client = english_client()
    for _ in range(2):
        assert client.post(reverse("verify_document"), {}).status_code == 200

    assert client.post(reverse("verify_document"), {}).status_code == 429


@pytest.mark.django_db
def test_signing_and_verifying_work_inside_a_running_event_loop(city):
    """Playwright's sync API (browser tests) keeps an event loop running in the test thread."""

    async def inside():
        return signing.verify_pdf(signing.sign_pdf(render(), city))

    assert asyncio.run(inside()).intact is True
