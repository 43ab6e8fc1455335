"""The review expert's workspace: assigned dossiers only, scoring, conflict of interest (第十七条)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts import scoping
from applications.services import TransitionRefused
from reviews import expert_review
from reviews.forms_municipal import DecisionForm, ScoreForm
from reviews.models import Review, Round


@login_required
def assignments(request):
    mine = scoping.assignments_for(request.user).select_related("review")
    return render(request, "reviews/expert_assignments.html", {"assignments": mine})


@login_required
def score(request, pk):
    assignment = get_object_or_404(scoping.assignments_for(request.user), pk=pk)
    dossier = assignment.dossier
    review_round = expert_review.round_for(dossier.cycle_year, dossier.kind)
    criteria = list(review_round.criteria.all()) if review_round else []
    existing = getattr(assignment, "review", None)
    initial = {"comment": existing.comment} | {f"c{k}": v for k, v in existing.scores.items()} if existing else {}
    form = ScoreForm(request.POST or None, criteria=criteria, initial=initial)
    if request.method == "POST" and "conflict" in request.POST:
        try:
            expert_review.declare_conflict(assignment, note=request.POST.get("note", ""))
        except TransitionRefused as refused:
            messages.error(request, refused.message)
            return redirect("expert_score", pk=pk)
        messages.info(request, _("Conflict of interest declared; the dossier was withdrawn from your assignments."))
        return redirect("expert_assignments")
    if request.method == "POST" and form.is_valid():
        try:
            expert_review.submit_review(assignment, scores=form.scores(), comment=form.cleaned_data["comment"])
        except TransitionRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("Your review was saved."))
            return redirect("expert_score", pk=pk)
    others = []
    if existing and review_round and review_round.score_visibility == Round.Visibility.AFTER_OWN:
        others = Review.objects.filter(assignment__dossier=dossier, assignment__conflict_declared=False).exclude(
            assignment=assignment
        )
    context = {
        "assignment": assignment,
        "dossier": dossier,
        "round": review_round,
        "form": form,
        "existing": existing,
        "others": others,
        "conflict_form": DecisionForm(),
    }
    return render(request, "reviews/expert_score.html", context)
