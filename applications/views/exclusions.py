"""第十二条: staff record dated exclusions of an organisation; only city staff lift one, with a reason."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import scoping
from accounts.models import Role
from applications import services
from applications.forms import ExclusionRecordForm


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
