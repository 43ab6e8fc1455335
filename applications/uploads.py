"""Checks of uploaded files: by content, never by name (DEVELOPERS.md: every upload is untrusted)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

PDF_MAGIC = b"%PDF-"


def validate_pdf(uploaded):
    """A real PDF (its first bytes), not empty, at most MAX_UPLOAD_BYTES."""
    size = uploaded.size or 0
    if size == 0:
        raise ValidationError(_("The file is empty; please choose a PDF file."), code="empty")
    if size > settings.MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(settings.MAX_UPLOAD_BYTES)},
            code="too_large",
        )
    uploaded.seek(0)
    head = uploaded.read(1024)
    uploaded.seek(0)
    if PDF_MAGIC not in head[:1024] or not head.lstrip().startswith(PDF_MAGIC):
        raise ValidationError(
            _("This file is not a PDF (judged by its content, whatever its name); please upload a PDF file."),
            code="not_pdf",
        )


def private_pdf(field, filename):
    """Serve an uploaded PDF to a user the caller has already scoped (uploads have no public URL)."""
    if not field:
        raise Http404
    return FileResponse(field.open("rb"), content_type="application/pdf", filename=filename)


EVIDENCE_TYPES = [(b"%PDF-", "application/pdf"), (b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png")]


def validate_evidence(uploaded):
    """Evidence: a PDF, JPEG or PNG by its first bytes, not empty, at most MAX_UPLOAD_BYTES."""
    size = uploaded.size or 0
    name = uploaded.name or ""
    if size == 0:
        raise ValidationError(_("%(name)s is empty.") % {"name": name}, code="empty")
    if size > settings.MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("%(name)s is %(size)s; the limit is %(limit)s.")
            % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(settings.MAX_UPLOAD_BYTES)},
            code="too_large",
        )
    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(0)
    for magic, content_type in EVIDENCE_TYPES:
        if head.startswith(magic):
            uploaded.checked_type = content_type
            return content_type
    raise ValidationError(
        _("%(name)s is not a PDF, JPEG or PNG file (judged by its content, whatever its name).") % {"name": name},
        code="not_evidence",
    )


def private_file(field, filename, content_type):
    """Serve a scoped upload inline (evidence opens beside the table in the browser)."""
    if not field:
        raise Http404
    response = FileResponse(field.open("rb"), content_type=content_type, filename=filename)
    response["Content-Disposition"] = response["Content-Disposition"].replace("attachment", "inline")
    response["X-Content-Type-Options"] = "nosniff"
    return response
