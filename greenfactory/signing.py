"""PAdES signatures on issued documents, and their verification (pyHanko).

Key material lives on disk, never in the database: ``settings.SIGNING_DIR`` (or the environment variable
``SIGNING_DIR``; default ``var/pki``) holds, per
issuing organ, ``<code>.key.pem``, ``<code>.cert.pem`` (optionally followed by its intermediate
certificates) and ``<code>.seal.png``, and the trusted root ``ca.cert.pem``. The private keys may be
encrypted with the password in the environment variable ``SIGNING_KEY_PASSWORD``. In demo mode
``manage.py setup_demo_pki`` makes a demo CA and one certificate and one 样章 image per organ.

The signature is PAdES B-B (``ETSI.CAdES.detached``, SHA-256) and a certification signature that permits no
change. Its visible appearance is the organ's seal image at the 落款 of the last page: centred on the PDF
named destination ``seal`` when the document has one (an element ``id="seal"`` in a WeasyPrint template
becomes one), otherwise in ``settings.SIGNING_SEAL_BOX`` (points, from the page's lower left corner).
"""

import asyncio
import hashlib
import io
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils.translation import gettext as _

SIGNATURE_FIELD = "IssuingOrganSeal"
SEAL_ANCHOR = "seal"
# 45 mm x 28 mm, the demo stamp's proportions; a real organ's round seal is 42 mm (GB/T 9704-2012).
DEFAULT_SEAL_SIZE = (128, 80)
# A4 last page, bottom right of the type area above where the date stands (GB/T 9704 margins: right 26 mm,
# bottom 35 mm).
DEFAULT_SEAL_BOX = (350, 118, 478, 198)


class SigningNotConfigured(Exception):
    """The organ has no key or certificate in SIGNING_DIR: documents cannot be signed in its name."""


def _outside_event_loop(function, *args, **kwargs):
    """pyHanko's synchronous calls run their own event loop (asyncio.run), which fails in a thread whose loop is
    running (an async view, Playwright's sync API in tests): there, run them in a worker thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)

    def in_worker():
        try:
            return function(*args, **kwargs)
        finally:
            # A query made in the worker opened its own connection: close it, or it leaks until collected.
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(in_worker).result()


def signing_dir():
    configured = getattr(settings, "SIGNING_DIR", None) or os.environ.get("SIGNING_DIR")
    return Path(configured) if configured else Path(settings.BASE_DIR) / "var" / "pki"


def key_password():
    password = os.environ.get("SIGNING_KEY_PASSWORD", "")
    return password.encode() if password else None


@dataclass(frozen=True)
class OrganPaths:
    key: Path
    cert: Path
    seal: Path


def organ_paths(organ, directory=None):
    directory = Path(directory or signing_dir())
    return OrganPaths(
        key=directory / f"{organ.code}.key.pem",
        cert=directory / f"{organ.code}.cert.pem",
        seal=directory / f"{organ.code}.seal.png",
    )


def ca_path(directory=None):
    return Path(directory or signing_dir()) / "ca.cert.pem"


def can_sign(organ):
    paths = organ_paths(organ)
    return paths.key.is_file() and paths.cert.is_file()


def _signer(organ):
    from pyhanko.keys import load_certs_from_pemder, load_private_key_from_pemder
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    paths = organ_paths(organ)
    if not can_sign(organ):
        raise SigningNotConfigured(
            _("%(organ)s has no signing key and certificate (%(key)s, %(cert)s); documents cannot be signed.")
            % {"organ": organ.name, "key": paths.key.name, "cert": paths.cert.name}
        )
    try:
        key = load_private_key_from_pemder(str(paths.key), passphrase=key_password())
        certs = list(load_certs_from_pemder([str(paths.cert)]))
        chain = list(load_certs_from_pemder([str(ca_path())])) if ca_path().is_file() else []
    except (OSError, ValueError, TypeError) as error:
        raise SigningNotConfigured(
            _("The signing key or certificate of %(organ)s cannot be read: %(error)s")
            % {"organ": organ.name, "error": error}
        ) from error
    store = SimpleCertificateStore()
    store.register_multiple(certs[1:] + chain)
    return SimpleSigner(signing_cert=certs[0], signing_key=key, cert_registry=store)


def _named_destination(reader, name):
    """(page index, x, y) of a named destination (``/Names /Dests``, as WeasyPrint writes them), or None."""
    from pyhanko.pdf_utils import generic

    try:
        tree = reader.root["/Names"]["/Dests"]
    except KeyError:
        return None
    stack = [tree]
    while stack:
        node = stack.pop().get_object()
        names = list(node.get("/Names", generic.ArrayObject()))
        for key, value in zip(names[::2], names[1::2], strict=False):
            if str(key) != name:
                continue
            dest = value.get_object()
            if isinstance(dest, generic.DictionaryObject):
                dest = dest["/D"]
            page_ref, kind = dest.raw_get(0), str(dest[1])
            if kind != "/XYZ" or len(dest) < 4:
                return None
            x, y = dest[2], dest[3]
            count = int(reader.root["/Pages"]["/Count"])
            for index in range(count):
                ref, _resources = reader.find_page_for_modification(index)
                if ref.idnum == page_ref.idnum:
                    return index, float(x or 0), float(y or 0)
            return None
        stack.extend(list(node.get("/Kids", generic.ArrayObject())))
    return None


def seal_placement(reader):
    """(page index, box) of the seal: centred on the ``seal`` destination, or the configured box on the last page."""
    width, height = getattr(settings, "SIGNING_SEAL_SIZE", DEFAULT_SEAL_SIZE)
    anchor = _named_destination(reader, SEAL_ANCHOR)
    if anchor is not None:
        page, x, y = anchor
        box = (x - width / 2, y - height / 2, x + width / 2, y + height / 2)
        return page, tuple(round(v) for v in box)
    return -1, tuple(getattr(settings, "SIGNING_SEAL_BOX", DEFAULT_SEAL_BOX))


def sign_pdf(pdf_bytes, organ):
    """The PDF signed in the organ's name (PAdES B-B), its seal drawn at the 落款 of the last page.

    Raises SigningNotConfigured when the organ has no key and certificate in SIGNING_DIR.
    """
    from pyhanko.pdf_utils.images import PdfImage
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import StaticStampStyle

    signer = _signer(organ)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    page, box = seal_placement(writer.prev)
    seal = organ_paths(organ).seal
    style = None
    if seal.is_file():
        from PIL import Image

        with Image.open(seal) as image:
            image.load()
            style = StaticStampStyle(background=PdfImage(image.copy()), border_width=0, background_opacity=1.0)
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
        name=organ.name,
        location="深圳",
        reason="公文签发",
    )
    pdf_signer = signers.PdfSigner(
        metadata,
        signer=signer,
        stamp_style=style,
        new_field_spec=fields.SigFieldSpec(sig_field_name=SIGNATURE_FIELD, on_page=page, box=box),
    )
    out = _outside_event_loop(pdf_signer.sign_pdf, writer)
    return out.getvalue()


@dataclass
class VerificationResult:
    """What the verification page shows about one PDF file."""

    sha256: str
    signed: bool = False
    intact: bool = False  # the signature is valid and covers the whole file: not one byte changed
    trusted: bool = False  # the signer's certificate chains to the configured root (ca.cert.pem)
    signer_name: str = ""
    signed_at: datetime | None = None
    document_number: str = ""
    document: object = None  # the IssuedDocument with exactly these bytes
    messages: list = field(default_factory=list)

    @property
    def authentic(self):
        """An issued document, unaltered, signed by a certificate of the platform's root."""
        return self.signed and self.intact and self.trusted and self.document is not None


def _validation_context():
    from pyhanko.keys import load_certs_from_pemder
    from pyhanko_certvalidator import ValidationContext

    roots = list(load_certs_from_pemder([str(ca_path())])) if ca_path().is_file() else []
    # No network: revocation is not fetched (soft-fail); trust comes from the configured root alone.
    return ValidationContext(trust_roots=roots, allow_fetching=False)


def _check_signature(pdf_bytes, result):
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError

    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        signatures = reader.embedded_signatures
    except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        result.messages.append(_("This file is not a readable PDF."))
        return
    if not signatures:
        result.messages.append(_("This PDF carries no digital signature."))
        return
    result.signed = True
    embedded = signatures[0]
    try:
        status = _outside_event_loop(validate_pdf_signature, embedded, _validation_context())
    except (SignatureValidationError, PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        result.messages.append(_("The digital signature is damaged and cannot be checked."))
        return
    cert = status.signing_cert
    result.signer_name = cert.subject.native.get("common_name", "") if cert is not None else ""
    result.signed_at = status.signer_reported_dt
    whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE and len(signatures) == 1
    result.intact = bool(status.intact and status.valid and whole_file)
    result.trusted = bool(status.trusted)
    if result.intact:
        result.messages.append(_("The signature is valid: the file has not been changed since it was signed."))
    elif status.intact and status.valid:
        result.messages.append(_("Content was added to the file after it was signed."))
    else:
        result.messages.append(_("The file was altered after it was signed: the signature does not match its content."))
    if result.trusted:
        result.messages.append(_("The signer's certificate was issued by the platform's root certificate."))
    elif status.valid:
        # A trust statement about a signature that does not match the file would mean nothing.
        result.messages.append(_("The signer's certificate was not issued by the platform's root certificate."))


def verify_pdf(pdf_bytes):
    """Check a PDF's signature against the configured root and look its SHA-256 up among issued documents."""
    from registry.models import IssuedDocument

    result = VerificationResult(sha256=hashlib.sha256(pdf_bytes).hexdigest())
    _check_signature(pdf_bytes, result)
    # In an async context (a running loop) Django hands out a task-local connection that nobody would close;
    # the lookup then runs in the worker thread, which closes its own.
    document = _outside_event_loop(
        lambda: IssuedDocument.objects.select_related("organ").filter(sha256=result.sha256).first()
    )
    if document is not None:
        result.document = document
        result.document_number = document.document_number
        result.messages.append(
            _("The file is exactly issued document %(number)s.") % {"number": document.document_number}
        )
    else:
        result.messages.append(_("No document issued through the platform has exactly this content."))
    return result
