"""The yearly round's settings on a screen for city staff (issue 10): template, pass mark, third-party rule."""

from django import forms
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.models import EvaluationTemplate
from applications.standards_forms import plain
from reviews.models import Round

FIELDS = [
    "year",
    "kind",
    "is_open",
    "third_party_required",
    "template",
    "pass_mark",
    "select_count",
    "aggregation",
    "score_visibility",
    "scoring_deadline",
    "objection_contact",
]


def template_label(template):
    state = _("frozen") if template.is_frozen else _("draft")
    return f"{template.get_kind_display()} · {template} · {template.standard} ({state})"


class RoundForm(forms.ModelForm):
    class Meta:
        model = Round
        fields = FIELDS
        widgets = {"scoring_deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {
            "template": gettext_lazy(
                "Only a template of the round's kind. Choosing a template freezes it: it can no longer be edited, "
                "and a change makes a new version. Dossiers already submitted keep the version they were scored "
                "with. Left empty, the newest version of the kind applies."
            ),
            "third_party_required": gettext_lazy(
                "When ticked, a dossier can be submitted only with an evaluation report by a third-party agency."
            ),
            "pass_mark": gettext_lazy("Left empty, the round sets no pass mark for the self-evaluation."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        templates = EvaluationTemplate.objects.order_by("kind", "standard", "-version")
        if self.instance.pk:
            # Dossiers find their round by year and kind: changing either would move them to another round.
            for name in ("year", "kind"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Fixed once the round exists.")
            templates = templates.filter(kind=self.instance.kind)
        self.fields["template"].queryset = templates
        self.fields["template"].label_from_instance = template_label

    def clean_pass_mark(self):
        mark = self.cleaned_data.get("pass_mark")
        if mark is not None and mark < 0:
            raise forms.ValidationError(_("The pass mark cannot be negative."))
        return mark

    def clean(self):
        data = super().clean()
        template, kind = data.get("template"), data.get("kind")
        if template is not None and kind and template.kind != kind:
            self.add_error(
                "template",
                _("%(template)s is a template for “%(template_kind)s”; this round is for “%(kind)s”.")
                % {
                    "template": template,
                    "template_kind": template.get_kind_display(),
                    "kind": dict(self.fields["kind"].choices).get(kind, kind),
                },
            )
        mark = data.get("pass_mark")
        if template is not None and mark is not None and "template" not in self.errors:
            maximum = template.max_points
            if mark > maximum:
                self.add_error(
                    "pass_mark",
                    _("The pass mark is above the template's maximum of %(maximum)s points.")
                    % {"maximum": plain(maximum)},
                )
        return data

    def save(self, commit=True):
        round_ = super().save(commit=False)
        if round_.template_id and round_.template.standard in Round.Standard.values:
            # The round's standard follows its template, so pages that print it agree with the scoring.
            round_.standard = round_.template.standard
        if commit:
            with transaction.atomic():
                round_.save()  # Round.save freezes the chosen template.
        return round_
