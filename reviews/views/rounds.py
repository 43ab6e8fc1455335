"""Round settings for city staff (issue 10): each year's and kind's template, pass mark and third-party rule."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts import scoping
from reviews.models import Round
from reviews.round_forms import RoundForm


def city_only(request):
    if not scoping.is_city(request.user):
        raise Http404


@login_required
def rounds(request):
    city_only(request)
    return render(request, "reviews/rounds/list.html", {"rounds": Round.objects.select_related("template")})


@login_required
def round_new(request):
    city_only(request)
    return _round_form(request, Round())


@login_required
def round_edit(request, pk):
    city_only(request)
    return _round_form(request, get_object_or_404(Round, pk=pk))


def _round_form(request, review_round):
    form = RoundForm(request.POST if request.method == "POST" else None, instance=review_round)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        message = _("The round %(round)s was saved.") % {"round": saved}
        if saved.template_id:
            message += " " + _("%(template)s is now frozen.") % {"template": saved.template}
        messages.success(request, message)
        return redirect("rounds")
    return render(request, "reviews/rounds/form.html", {"form": form, "round": review_round})
