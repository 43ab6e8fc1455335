"""The review expert's workspace: assigned dossiers only, scoring, conflict of interest (第十七条)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import scoping
from applications.models import State
from applications.services import TransitionRefused
from greenfactory.paging import paginate
from reviews import expert_review
from reviews.forms_municipal import DecisionForm, ScoreForm
from reviews.models import Review, Round


def application_url(dossier):
    """The whole application's read-only page, where the running site has it."""
    try:
        return reverse("application_view", args=[dossier.pk])
    except NoReverseMatch:
        return ""


@login_required
def assignments(request):
    today = timezone.localdate()
    pending, done = expert_review.expert_worklist(scoping.assignments_for(request.user), today=today)
    context = {"pending": paginate(request, pending, param="pending"), "done": paginate(request, done, param="done")}
    return render(request, "reviews/expert_assignments.html", context)


@login_required
def score(request, pk):
    assignment = get_object_or_404(scoping.assignments_for(request.user).select_related("review"), pk=pk)
    dossier = assignment.dossier
    review_round = expert_review.round_for(dossier.cycle_year, dossier.kind)
    criteria = list(review_round.criteria.all()) if review_round else []
    existing = getattr(assignment, "review", None)
    final = existing if existing is not None and existing.is_final else None
    if request.method == "POST" and "conflict" in request.POST:
        try:
            expert_review.declare_conflict(assignment, note=request.POST.get("note", ""))
        except TransitionRefused as refused:
            messages.error(request, refused.message)
            return redirect("expert_score", pk=pk)
        messages.info(request, _("Conflict of interest declared; the dossier was withdrawn from your assignments."))
        return redirect("expert_assignments")
    if request.method == "POST" and final is not None:
        messages.error(request, expert_review.final_refusal(final).message)
        return redirect("expert_score", pk=pk)
    submitting = request.method == "POST" and "final" in request.POST
    initial = {"comment": existing.comment} | {f"c{k}": v for k, v in existing.scores.items()} if existing else {}
    form = ScoreForm(request.POST or None, criteria=criteria, final=submitting, initial=initial)
    if request.method == "POST" and form.is_valid():
        scores, comment = form.scores(), form.cleaned_data["comment"]
        try:
            if submitting:
                expert_review.submit_final(
                    assignment,
                    scores=scores,
                    comment=comment,
                    declares_no_conflict=form.cleaned_data["no_conflict"],
                )
            else:
                expert_review.save_draft(assignment, scores=scores, comment=comment)
        except TransitionRefused as refused:
            messages.error(request, refused.message)
        else:
            if submitting:
                messages.success(request, _("Your final scores were submitted; they can no longer be changed."))
            else:
                messages.success(request, _("Your draft was saved; submit your final scores when you are done."))
            return redirect("expert_score", pk=pk)
    others = []
    if final and review_round and review_round.score_visibility == Round.Visibility.AFTER_OWN:
        # Others' final totals, once the expert's own are final: a draft cannot be adjusted to them.
        others = (
            Review.objects.final()
            .filter(assignment__dossier=dossier, assignment__conflict_declared=False)
            .exclude(assignment=assignment)
        )
    deadline = review_round.scoring_deadline if review_round else None
    left = expert_review.days_left(deadline, timezone.localdate())
    context = {
        "assignment": assignment,
        "dossier": dossier,
        "round": review_round,
        "form": form,
        "existing": existing,
        "final": final,
        "is_open": dossier.state == State.IN_REVIEW,
        "final_rows": [(c, final.scores.get(str(c.pk))) for c in criteria] if final else [],
        "others": others,
        "conflict_form": DecisionForm(),
        "application_url": application_url(dossier),
        "scoring_deadline": deadline,
        "days_left": left,
        "days_overdue": -left if left is not None and left < 0 else 0,
    }
    return render(request, "reviews/expert_score.html", context)
