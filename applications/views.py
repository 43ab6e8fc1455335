from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import scoping
from applications import services
from applications.filters import DossierFilter
from applications.forms import TransitionForm
from applications.models import REASON_REQUIRED, TRANSITION_LABELS, TRANSITION_NAMES

PAGE_SIZE = 50


@login_required
def home(request):
    """Each role's home: the dossiers in its scope, with state and next deadline."""
    dossier_filter = DossierFilter(request.GET, queryset=scoping.dossiers_for(request.user))
    page = Paginator(dossier_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "applications/home.html", {"filter": dossier_filter, "page": page})


@login_required
def dossier_detail(request, pk):
    dossier = scoping.get_dossier(request.user, pk)
    actions = [
        {
            "name": name,
            "label": TRANSITION_LABELS[name],
            "reason_required": name in REASON_REQUIRED,
            "refusals": dossier.refusals(name),
        }
        for name in scoping.allowed_transitions(request.user, dossier)
        if name not in ("select_for_publicity", "publish", "remove")  # these need their own screens (#5, #6)
    ]
    timeline = dossier.transitions.select_related("actor")
    return render(
        request,
        "applications/dossier_detail.html",
        {"dossier": dossier, "actions": actions, "timeline": timeline, "form": TransitionForm()},
    )


@login_required
@require_POST
def dossier_transition(request, pk, name):
    dossier = scoping.get_dossier(request.user, pk)
    if name not in TRANSITION_NAMES:
        raise Http404
    allowed, why = scoping.may_transition(request.user, dossier, name)
    if not allowed:
        raise Http404(why)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors.as_text())
        return redirect("dossier_detail", pk=pk)
    try:
        services.transition(dossier, name, by=request.user, reason=form.cleaned_data["reason"])
    except services.TransitionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, TRANSITION_LABELS[name])
    return redirect("dossier_detail", pk=pk)
