"""Evaluation templates for city staff (issue 10): read every version, edit a draft, version a frozen one.

A template a round has chosen, or a dossier was submitted with, is frozen (the models refuse any change);
its scores stay tied to it, and a change is made on a new version.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import scoping
from applications import evaluations
from applications.models import EvaluationSnapshot, EvaluationTemplate, ItemKind, Kind, TemplateFrozen
from applications.standards_forms import EditRefused, TemplateEditor, plain


def city_only(request):
    if not scoping.is_city(request.user):
        raise Http404


def frozen_message():
    return _(
        "This template is frozen: a round has chosen it or a dossier was submitted with it, and the scores given "
        "with it stay tied to it. Make a new version to change it."
    )


def newer_draft(template):
    """A draft of the same kind and standard, if one exists: edit it rather than open a second one."""
    return (
        EvaluationTemplate.objects.filter(kind=template.kind, standard=template.standard, frozen_at__isnull=True)
        .exclude(pk=template.pk)
        .order_by("-version")
        .first()
    )


@login_required
def standards(request):
    city_only(request)
    scored = ~Q(areas__items__kind=ItemKind.VETO)
    templates = (
        EvaluationTemplate.objects.annotate(
            item_count=Count("areas__items"),
            points_total=Sum("areas__items__points", filter=scored),
            uncertain_count=Count("areas__items", filter=Q(areas__items__uncertain=True)),
        )
        .prefetch_related("rounds")
        .order_by("kind", "standard", "-version")
    )
    groups = {kind: [] for kind in Kind.values}
    for template in templates:
        groups.setdefault(template.kind, []).append(template)
    rows = [(Kind(kind).label, group) for kind, group in groups.items() if group]
    return render(request, "applications/standards/list.html", {"groups": rows})


@login_required
def standard_detail(request, pk):
    city_only(request)
    template = get_object_or_404(EvaluationTemplate.objects.select_related("previous"), pk=pk)
    areas = []
    for area in template.areas.order_by("order", "pk").prefetch_related("items"):
        items = list(area.items.all())
        for item in items:
            item.baseline_text, item.leading_text = plain(item.baseline), plain(item.leading)
        total = sum((item.points for item in items if item.kind != ItemKind.VETO), Decimal(0))
        areas.append({"area": area, "items": items, "total": total})
    context = {
        "template": template,
        "areas": areas,
        "max_points": sum((row["total"] for row in areas), Decimal(0)),
        "rounds": template.rounds.all(),
        "submitted": EvaluationSnapshot.objects.filter(template=template).count(),
        "later_versions": EvaluationTemplate.objects.filter(previous=template).order_by("version"),
        "newer_draft": newer_draft(template) if template.is_frozen else None,
        "frozen_message": frozen_message(),
    }
    return render(request, "applications/standards/detail.html", context)


@login_required
def standard_edit(request, pk):
    city_only(request)
    template = get_object_or_404(EvaluationTemplate, pk=pk)
    if template.is_frozen:
        messages.error(request, frozen_message())
        return redirect("standard_detail", pk=pk)
    editor = TemplateEditor(template, request.POST if request.method == "POST" else None)
    if request.method == "POST" and editor.is_valid():
        try:
            editor.save()
        except TemplateFrozen as frozen:
            messages.error(request, str(frozen))
            return redirect("standard_detail", pk=pk)
        except EditRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("%(template)s was saved.") % {"template": template})
            return redirect("standard_detail", pk=pk)
    elif request.method == "POST":
        messages.error(request, _("Nothing was saved: correct the marked fields."))
    return render(request, "applications/standards/edit.html", {"template": template, "editor": editor})


@login_required
@require_POST
def standard_new_version(request, pk):
    city_only(request)
    template = get_object_or_404(EvaluationTemplate, pk=pk)
    if not template.is_frozen:
        messages.info(request, _("This template is still a draft: edit it directly."))
        return redirect("standard_edit", pk=pk)
    draft = newer_draft(template)
    if draft is not None:
        messages.info(request, _("A draft version already exists: %(template)s.") % {"template": draft})
        return redirect("standard_edit", pk=draft.pk)
    copy = evaluations.new_version(template, by=request.user)
    messages.success(
        request,
        _("Version %(version)s was made as a draft: edit it, then choose it for a round.") % {"version": copy.version},
    )
    return redirect("standard_edit", pk=copy.pk)
