"""Pages for district officers and city staff: Art. 12 circumstances of an organisation (第十二条: staff
record dated exclusions; only city staff lift one, with a reason) and the agencies' work (第二十三条)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import scoping
from accounts.models import Role
from applications import services
from applications.forms import AgencyFlagForm, ExclusionRecordForm
from applications.models.organisations import AGENCY_YEARLY_QUOTA
from greenfactory.paging import paginate


@login_required
@require_POST
def record_exclusion(request, pk):
    if not (request.user.role == Role.DISTRICT or scoping.is_city(request.user)):
        raise Http404
    organisation = get_object_or_404(scoping.organisations_for(request.user), pk=pk)
    form = ExclusionRecordForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("organisation_detail", pk=pk)
    try:
        services.record_exclusion(organisation, by=request.user, **form.cleaned_data)
    except services.TransitionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The Art. 12 circumstance was recorded."))
    return redirect("organisation_detail", pk=pk)


@login_required
@require_POST
def lift_exclusion(request, pk, declaration_pk):
    if not scoping.is_city(request.user):
        raise Http404
    organisation = get_object_or_404(scoping.organisations_for(request.user), pk=pk)
    declaration = get_object_or_404(organisation.exclusion_declarations, pk=declaration_pk)
    try:
        services.lift_exclusion(declaration, by=request.user, reason=request.POST.get("reason", ""))
    except services.TransitionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The exclusion was lifted."))
    return redirect("organisation_detail", pk=pk)


@login_required
def agency_list(request):
    """第二十三条: district officers follow the agencies' work and flag poor work; the city sees every flag."""
    if not (request.user.role == Role.DISTRICT or scoping.is_city(request.user)):
        raise Http404
    agencies = scoping.agencies_for(request.user)
    year = timezone.localdate().year
    # 第二十四条: distinct units evaluated this year, as Agency.evaluations_in_year counts them, in the page's query.
    counted = agencies.annotate(
        used=Count("evaluations__organisation", filter=Q(evaluations__year=year), distinct=True)
    ).order_by("name", "pk")
    page = paginate(request, counted.prefetch_related("flags__district", "flags__flagged_by"))
    rows = [{"agency": a, "used": a.used, "barred": a.is_barred()} for a in page]
    form = AgencyFlagForm(request.POST or None, agencies=agencies)
    if request.method == "POST":
        if request.user.role != Role.DISTRICT:
            raise Http404
        if form.is_valid():
            try:
                services.flag_agency(
                    form.cleaned_data["agency"],
                    district=request.user.district,
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            except services.TransitionRefused as refused:
                form.add_error("reason", refused.message)
            else:
                messages.success(request, _("The agency was flagged (Art. 23)."))
                return redirect("agency_list")
    context = {
        "rows": rows,
        "page": page,
        "form": form,
        "year": year,
        "quota": AGENCY_YEARLY_QUOTA,
        "may_flag": request.user.role == Role.DISTRICT,
    }
    return render(request, "applications/agencies.html", context)
