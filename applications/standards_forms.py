"""City staff edit a draft evaluation template on a screen: its settings, areas and items (issue 10).

``TemplateEditor`` bundles the template's form, the areas' formset and one items' formset per area, checks
what spans them (item codes unique in the whole template, an area removed only once empty) and saves all of
it in one transaction. A frozen template is never changed: its models refuse every save (``TemplateFrozen``)
and the transaction leaves nothing half-saved.
"""

from decimal import Decimal

from django import forms
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.forms import inlineformset_factory
from django.utils.translation import gettext as _

from applications.models import EvaluationTemplate, ItemKind, TemplateArea, TemplateItem
from applications.models.standards import Direction

QUANTITATIVE_FIELDS = ("unit", "direction", "baseline", "leading")


def plain(number):
    """A decimal as people write it: 0.1, 10, 2000 (not 0.1000 or 1E+1)."""
    return "" if number is None else format(number.normalize(), "f")


class EditRefused(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


class TemplateSettingsForm(forms.ModelForm):
    class Meta:
        model = EvaluationTemplate
        fields = ["name", "baseline_share", "source", "note"]
        widgets = {"source": forms.Textarea(attrs={"rows": 3}), "note": forms.Textarea(attrs={"rows": 2})}

    def clean_baseline_share(self):
        share = self.cleaned_data["baseline_share"]
        if share is not None and not (Decimal(0) <= share <= Decimal(1)):
            raise forms.ValidationError(_("The share earned at the baseline value must be between 0 and 1."))
        return share


class AreaForm(forms.ModelForm):
    class Meta:
        model = TemplateArea
        fields = ["code", "name", "order"]


class ItemForm(forms.ModelForm):
    class Meta:
        model = TemplateItem
        fields = [
            "code",
            "kind",
            "points",
            "order",
            "text",
            "unit",
            "direction",
            "baseline",
            "leading",
            "evidence_required",
            "uncertain",
            "guidance",
        ]
        widgets = {"text": forms.Textarea(attrs={"rows": 2}), "guidance": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("points", "baseline", "leading"):
            value = self.initial.get(name)
            if isinstance(value, Decimal):
                self.initial[name] = plain(value)

    def clean_points(self):
        points = self.cleaned_data["points"]
        if points is not None and points < 0:
            raise forms.ValidationError(_("Points cannot be negative."))
        return points

    def clean(self):
        data = super().clean()
        code = data.get("code") or "?"
        if data.get("kind") != ItemKind.QUANTITATIVE:
            # Only an indicator has a unit and values; a requirement keeps none that could mislead.
            for name in QUANTITATIVE_FIELDS:
                if name in data:
                    data[name] = None if name in ("baseline", "leading") else ""
            return data
        missing = [name for name in QUANTITATIVE_FIELDS if data.get(name) in (None, "") and name not in self.errors]
        messages = {
            "unit": _("Quantitative indicator %(code)s needs its unit (write “—” for a ratio without a unit)."),
            "direction": _("Quantitative indicator %(code)s needs its direction: is a lower or a higher value better?"),
            "baseline": _("Quantitative indicator %(code)s needs its baseline value."),
            "leading": _("Quantitative indicator %(code)s needs its leading value."),
        }
        for name in missing:
            self.add_error(name, messages[name] % {"code": code})
        baseline, leading, direction = data.get("baseline"), data.get("leading"), data.get("direction")
        if baseline is not None and leading is not None and direction:
            if direction == Direction.LOWER and not leading < baseline:
                self.add_error(
                    "leading",
                    _(
                        "Indicator %(code)s: lower is better, so its leading value must be lower than its baseline "
                        "value (%(baseline)s)."
                    )
                    % {"code": code, "baseline": plain(baseline)},
                )
            elif direction == Direction.HIGHER and not leading > baseline:
                self.add_error(
                    "leading",
                    _(
                        "Indicator %(code)s: higher is better, so its leading value must be higher than its "
                        "baseline value (%(baseline)s)."
                    )
                    % {"code": code, "baseline": plain(baseline)},
                )
        return data


AreaFormSet = inlineformset_factory(
    EvaluationTemplate, TemplateArea, form=AreaForm, extra=1, can_delete=True, can_delete_extra=False
)
ItemFormSet = inlineformset_factory(
    TemplateArea, TemplateItem, form=ItemForm, extra=1, can_delete=True, can_delete_extra=False
)


def _removed(form):
    return bool(getattr(form, "cleaned_data", {}).get("DELETE"))


def _kept(formset):
    """Forms of a validated formset that will be saved: filled in and not marked for removal."""
    return [
        form for form in formset.forms if (form.has_changed() or form.instance.pk is not None) and not _removed(form)
    ]


class TemplateEditor:
    """The whole edit screen of one draft template: settings, areas and each area's items."""

    def __init__(self, template, data=None):
        self.template = template
        self.settings = TemplateSettingsForm(data, instance=template, prefix="tpl")
        self.areas = AreaFormSet(data, instance=template, prefix="areas")
        self.item_sets = [
            (area, ItemFormSet(data, instance=area, prefix=f"items-{area.pk}"))
            for area in template.areas.order_by("order", "pk")
        ]
        self.errors = []

    def is_valid(self):
        valid = self.settings.is_valid() & self.areas.is_valid()
        for _area, items in self.item_sets:
            valid &= items.is_valid()
        return self._cross_checks() and bool(valid)

    def _cross_checks(self):
        ok = True
        seen = {}
        for _area, items in self.item_sets:
            for form in _kept(items):
                code = form.cleaned_data.get("code")
                if not code:
                    continue
                seen.setdefault(code, []).append(form)
        for code, forms_with_code in seen.items():
            if len(forms_with_code) > 1:
                ok = False
                for form in forms_with_code:
                    form.add_error(
                        "code", _("Item code %(code)s is used more than once in this template.") % {"code": code}
                    )
        removed = {form.instance.pk for form in self.areas.forms if form.instance.pk and _removed(form)}
        for area, items in self.item_sets:
            if area.pk in removed and _kept(items):
                ok = False
                message = _("Area %(code)s still has items: remove them before removing the area.")
                self.errors.append(message % {"code": area.code})
        return ok

    def save(self):
        """Save everything or nothing; ``TemplateFrozen`` passes through after the rollback."""
        try:
            with transaction.atomic():
                # The row lock makes a concurrent freeze (a round choosing this template) wait or win cleanly.
                EvaluationTemplate.objects.select_for_update().get(pk=self.template.pk)
                self.settings.save()
                for _area, items in self.item_sets:
                    for form in items.deleted_forms:
                        if form.instance.pk is not None:
                            self._delete_item(form.instance)
                areas = self.areas.save(commit=False)
                for area in areas:
                    area.save()
                for _area, items in self.item_sets:
                    for item in items.save(commit=False):
                        item.save()
                for area in self.areas.deleted_objects:
                    area.delete()
        except IntegrityError as error:
            if isinstance(error, ProtectedError):
                raise
            raise EditRefused(
                _("Two areas or items would have the same code at the same time; save the changes in two steps.")
            ) from error
        return self.template

    @staticmethod
    def _delete_item(item):
        try:
            item.delete()
        except ProtectedError as error:
            raise EditRefused(
                _("Item %(code)s already has answers in a self-evaluation and cannot be removed.") % {"code": item.code}
            ) from error
