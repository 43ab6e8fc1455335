"""Public pages (no login): publicity lists and the real-name objection form (第十七条)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.services import TransitionRefused
from greenfactory.paging import paginate
from greenfactory.ratelimit import limited
from reviews import objections, receipts
from reviews.forms_municipal import ObjectionForm
from reviews.models import PublicityBatch


def publicity_list(request):
    batches = paginate(request, PublicityBatch.objects.order_by("-starts_on", "-pk"))
    return render(request, "public/publicity_list.html", {"batches": batches, "today": timezone.localdate()})


@limited("public-submit")
def publicity_detail(request, pk):
    batch = get_object_or_404(PublicityBatch, pk=pk)
    entries = batch.entries.select_related("dossier__organisation__district")
    form = ObjectionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        entry = get_object_or_404(entries, pk=form.cleaned_data["entry"])
        try:
            objection = objections.submit_objection(
                entry,
                objector_kind=form.cleaned_data["objector_kind"],
                name=form.cleaned_data["name"],
                phone=form.cleaned_data["phone"],
                content=form.cleaned_data["content"],
                evidence=form.cleaned_data.get("evidence"),
                email=form.cleaned_data.get("email", ""),
                track_url=request.build_absolute_uri(reverse("track_submission")),
            )
        except TransitionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("Your objection was received. Your identity is kept confidential."))
            return show_receipt(request, objection, emailed=bool(form.cleaned_data.get("email")))
    context = {"batch": batch, "entries": entries, "form": form, "running": batch.is_running(timezone.localdate())}
    return render(request, "public/publicity_detail.html", context)


def show_receipt(request, submission, *, emailed):
    """Post/redirect/get: the receipt page shows the access code once, from the session, then forgets it."""
    request.session["receipt"] = {
        "number": submission.receipt_number,
        "code": receipts.display_code(submission.access_code) if submission.access_code else "",
        "duplicate": submission.is_duplicate,
        "emailed": emailed and not submission.is_duplicate,
    }
    return redirect("public_receipt")
