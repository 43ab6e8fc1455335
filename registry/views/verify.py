"""The public verification page (no login): is this 文号 an issued document; is this PDF one, unaltered, and
who signed it when (greenfactory/signing.py)."""

import re
from urllib.parse import quote

from django import forms
from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from applications.uploads import validate_pdf
from greenfactory import signing
from greenfactory.ratelimit import client_address, hit, refused
from registry.models import DocumentType, IssuedDocument

# Documents the public may download again here: those the bureau publishes (Art. 17, 22). Letters to a
# unit or to the city bureau are confirmed, not handed out.
PUBLIC_TYPES = {DocumentType.PUBLICITY_NOTICE, DocumentType.LIST_ANNOUNCEMENT, DocumentType.REMOVAL_NOTICE}
# Checking a signature costs about a second of CPU: a generous limit per address and hour.
DEFAULT_LIMIT = (30, 3600)

_BRACKETS = str.maketrans({**dict.fromkeys("[［【(（", "〔"), **dict.fromkeys("]］】)）", "〕")})


def normalise_number(text):
    """深工信函[2026]3号 and 深工信函（2026）3 号 as typed are 深工信函〔2026〕3号."""
    return re.sub(r"\s+", "", text or "").translate(_BRACKETS)


class NumberForm(forms.Form):
    number = forms.CharField(
        label=_("Document number (文号)"),
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": "深工信函〔2026〕1号"}),
    )

    def clean_number(self):
        return normalise_number(self.cleaned_data["number"])


class UploadForm(forms.Form):
    pdf = forms.FileField(label=_("PDF file"), widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}))

    def clean_pdf(self):
        uploaded = self.cleaned_data["pdf"]
        validate_pdf(uploaded)
        return uploaded


def is_public(document):
    return document.document_type in PUBLIC_TYPES


def verify_document(request):
    """GET ?number=… looks a 文号 up (shareable, nothing secret); POST checks an uploaded PDF."""
    context = {"number_form": NumberForm(), "upload_form": UploadForm(), "searched": False}
    if request.method == "POST":
        limit, window = getattr(settings, "RATELIMITS", {}).get("verify", DEFAULT_LIMIT)
        retry_at = hit("verify", client_address(request), limit=limit, window=window)
        if retry_at is not None:
            return refused(request, retry_at)
        upload_form = UploadForm(request.POST, request.FILES)
        context["upload_form"] = upload_form
        if upload_form.is_valid():
            uploaded = upload_form.cleaned_data["pdf"]
            uploaded.seek(0)
            context["result"] = signing.verify_pdf(uploaded.read())
    elif "number" in request.GET:
        number_form = NumberForm(request.GET)
        context["number_form"] = number_form
        if number_form.is_valid():
            context["searched"] = True
            document = (
                IssuedDocument.objects.select_related("organ", "corrects")
                .filter(document_number=number_form.cleaned_data["number"])
                .first()
            )
            context["document"] = document
            if document is not None:
                context["corrections"] = list(document.corrections.order_by("issued_at"))
    if context.get("result") is not None and context["result"].document is not None:
        context["result_public"] = is_public(context["result"].document)
    if context.get("document") is not None:
        context["document_public"] = is_public(context["document"])
    return render(request, "registry/verify.html", context)


def verified_document_pdf(request, pk):
    """Exactly the stored bytes of a published document."""
    document = get_object_or_404(IssuedDocument, pk=pk)
    if not is_public(document):
        raise Http404
    response = HttpResponse(bytes(document.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(document.document_number)}.pdf"
    return response
