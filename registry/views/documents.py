"""Issuing official documents (issue 11): preview a draft, issue with the next 文号, download the record,
list what was issued, configure 文号 registers. Who may do what: accounts.scoping."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import scoping
from registry import documents
from registry.models import DocumentRegister, DocumentType, IssuedDocument, PublishedList, Recheck, Removal
from reviews.models import ConformityCheck, PublicityBatch, RecommendationBatch

SUBJECTS = {
    DocumentType.PUBLICITY_NOTICE: PublicityBatch,
    DocumentType.LIST_ANNOUNCEMENT: PublishedList,
    DocumentType.RECOMMENDATION_LETTER: RecommendationBatch,
    DocumentType.REMOVAL_NOTICE: Removal,
    DocumentType.CONFORMITY_LETTER: ConformityCheck,
    DocumentType.RECHECK_LETTER: Recheck,
}
# Registers each organ keeps on the registers screen (others are made when first used).
CITY_TYPES = [
    DocumentType.PUBLICITY_NOTICE,
    DocumentType.LIST_ANNOUNCEMENT,
    DocumentType.REMOVAL_NOTICE,
    DocumentType.CONFORMITY_LETTER,
    DocumentType.RECHECK_LETTER,
]
DISTRICT_TYPES = [DocumentType.RECOMMENDATION_LETTER]


def document_response(document):
    """Exactly the stored bytes of an issued document."""
    response = HttpResponse(bytes(document.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(document.document_number)}.pdf"
    return response


def draft_response(pdf, filename):
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''draft-{filename}"
    return response


def stored_or_draft(document_type, subject, filename):
    """For staff: the issued document in force, byte for byte; before issue, the draft (草稿, not stored)."""
    document = documents.current(document_type, subject)
    if document is not None:
        return document_response(document)
    return draft_response(documents.preview_for(document_type, subject), filename)


def issued_or_pending(request, document_type, subject, filename):
    """For the public: only an issued document, byte for byte. Before issue the public gets a page saying
    the notice is being issued (never a draft); the staff who issue it get the draft."""
    document = documents.current(document_type, subject)
    if document is not None:
        return document_response(document)
    organ = documents.KINDS[document_type].organ(subject)
    if request.user.is_authenticated and scoping.may_issue(request.user, organ):
        return draft_response(documents.preview_for(document_type, subject), filename)
    context = {"document_type": DocumentType(document_type).label, "organ": organ}
    return render(request, "public/not_issued.html", context, status=404)


def _subject_for_issuer(user, kind, pk):
    if kind not in documents.KINDS:
        raise Http404
    subject = get_object_or_404(SUBJECTS[kind], pk=pk)
    organ = documents.KINDS[kind].organ(subject)
    if not scoping.may_issue(user, organ):
        raise Http404
    return subject


def _back(request, fallback="issued_documents"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(fallback)


@login_required
def preview(request, kind, pk):
    subject = _subject_for_issuer(request.user, kind, pk)
    return draft_response(documents.preview_for(kind, subject), f"{kind}-{pk}.pdf")


@login_required
@require_POST
def issue(request, kind, pk):
    subject = _subject_for_issuer(request.user, kind, pk)
    try:
        document = documents.issue_for(kind, subject, by=request.user, correct=request.POST.get("correct") == "1")
    except documents.IssueRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Issued as %(number)s.") % {"number": document.document_number})
    return _back(request)


@login_required
def issued_documents(request):
    if not (scoping.is_city(request.user) or scoping.issuing_organs_for(request.user).exists()):
        raise Http404
    rows = scoping.issued_documents_for(request.user)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "registry/documents/list.html", {"documents": page.object_list, "page_obj": page})


def issued_document_pdf(request, pk):
    """A public document for anyone; a letter for the staff who see it."""
    document = IssuedDocument.objects.filter(pk=pk).first()
    if document is None:
        raise Http404
    kind = documents.KINDS.get(document.document_type)
    if not (kind and kind.public) and not scoping.issued_documents_for(request.user).filter(pk=pk).exists():
        raise Http404
    return document_response(document)


@login_required
def registers(request):
    """文号 registers of the organs the user issues for: the current year's, and any already used."""
    organs = list(scoping.issuing_organs_for(request.user))
    if not organs:
        raise Http404
    year = documents.year_of()
    for organ in organs:
        for document_type in DISTRICT_TYPES if organ.district_id else CITY_TYPES:
            documents.register_for(organ, document_type, year)
    in_scope = DocumentRegister.objects.filter(organ__in=organs).select_related("organ")
    if request.method == "POST":
        if "contact" in request.POST:
            organ = next((o for o in organs if str(o.pk) == request.POST.get("organ")), None)
            if organ is None:
                raise Http404
            organ.contact = request.POST.get("contact", "").strip()[:200]
            organ.save(update_fields=["contact"])
            messages.success(request, _("Contact saved."))
            return redirect("document_registers")
        register = get_object_or_404(in_scope, pk=request.POST.get("register") or 0)
        try:
            documents.set_prefix(register, request.POST.get("prefix", ""), by=request.user)
        except documents.IssueRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("Prefix saved."))
        return redirect("document_registers")
    rows = list(in_scope.order_by("organ__pk", "-year", "document_type"))
    for row in rows:
        row.next_document_number = row.format(row.next_number)
    return render(request, "registry/documents/registers.html", {"registers": rows, "organs": organs})
