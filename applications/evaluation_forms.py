"""The forms of the applicant's step-by-step self-evaluation (issue 10), one per step.

A draft may be incomplete: each step saves what it has. What a submission needs is decided by the
dossier's guards (``evaluation_complete`` and friends), which the last step lists with links.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from applications import industries
from applications.forms import YES_NO, PdfField
from applications.models import (
    ELIGIBILITY_CRITERIA,
    Agency,
    EligibilityCriterion,
    EvaluationMode,
    ExclusionCondition,
    ItemKind,
    Organisation,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# 第十条: a park's industrial added value must be above half of the park's; the figure, not a yes.
FIGURE_CRITERIA = {EligibilityCriterion.PARK_INDUSTRIAL_SHARE: (_("Industrial share of added value (%)"), 50)}


def yes_no(value):
    return {True: "yes", False: "no"}.get(value, "")


class BasicInformationForm(forms.ModelForm):
    """基本信息表 of MIIT's template (name and credit code change only through Art. 20)."""

    industry = forms.ChoiceField(label=_("Industry (GB/T 4754-2017)"), required=False)

    class Meta:
        model = Organisation
        fields = [
            "industry",
            "ownership",
            "address",
            "registration_authority",
            "established_on",
            "registered_capital",
            "valid_until",
            "legal_representative",
            "contact_department",
            "contact_name",
            "contact_phone",
            "contact_mobile",
            "fax",
            "contact_email",
            "introduction",
            "production_scope",
            "boundary",
        ]
        widgets = {
            "established_on": DATE_INPUT,
            "introduction": forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
            "production_scope": forms.Textarea(attrs={"rows": 2}),
            "boundary": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.industry
        grouped = [("", _("Please choose")), *industries.choices()]
        if current and not industries.is_valid(current):
            grouped.append((current, current))  # a value from before the code list; kept until changed
        self.fields["industry"].choices = grouped
        self.fields["ownership"].choices = [("", _("Please choose")), *self.fields["ownership"].choices[1:]]


class EvaluationModeForm(forms.Form):
    evaluation_mode = forms.ChoiceField(label=_("Evaluation"), choices=EvaluationMode.choices, widget=forms.RadioSelect)
    agency = forms.ModelChoiceField(
        label=_("Commissioned agency"), queryset=Agency.objects.all(), required=False, empty_label=_("Please choose")
    )

    def clean(self):
        data = super().clean()
        if data.get("evaluation_mode") == EvaluationMode.AGENCY and not data.get("agency"):
            self.add_error("agency", _("Art. 14: a commissioned evaluation names the agency that makes it."))
        return data


class EligibilityForm(forms.Form):
    """第九条 (factory), 第十条 (park), 第十一条 (supply chain), with the figure where the article has one."""

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for criterion in ELIGIBILITY_CRITERIA[kind]:
            name = f"elig_{criterion.value}"
            self.fields[name] = forms.ChoiceField(
                label=criterion.label, choices=YES_NO, widget=forms.RadioSelect, required=False
            )
            self.fields[f"{name}_evidence"] = forms.CharField(
                label=_("Evidence"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
            )
            figure = None
            if criterion in FIGURE_CRITERIA:
                label, _threshold = FIGURE_CRITERIA[criterion]
                self.fields[f"{name}_figure"] = forms.DecimalField(
                    label=label, required=False, min_value=0, max_value=100, decimal_places=2
                )
                figure = self[f"{name}_figure"]
            self.rows.append((criterion, self[name], self[f"{name}_evidence"], figure))

    @classmethod
    def initial_for(cls, answers):
        initial = {}
        for key, answer in answers.items():
            initial[f"elig_{key}"] = "yes" if answer.get("met") else "no"
            initial[f"elig_{key}_evidence"] = answer.get("evidence", "")
            if answer.get("figure") not in (None, ""):
                initial[f"elig_{key}_figure"] = answer["figure"]
        return initial

    def clean(self):
        data = super().clean()
        for criterion, (_label, threshold) in FIGURE_CRITERIA.items():
            name = f"elig_{criterion.value}"
            figure = data.get(f"{name}_figure")
            if name in self.fields and data.get(name) == "yes" and figure is not None and figure <= threshold:
                self.add_error(
                    f"{name}_figure",
                    _("Art. 10: the industrial share must be above %(threshold)s %%; this figure says it is not.")
                    % {"threshold": threshold},
                )
        return data

    def answers(self):
        data, answers = self.cleaned_data, {}
        for criterion, _answer, _evidence, figure in self.rows:
            name = f"elig_{criterion.value}"
            if data.get(name):
                answers[criterion.value] = {"met": data[name] == "yes", "evidence": data.get(f"{name}_evidence", "")}
                if figure is not None and data.get(f"{name}_figure") is not None:
                    answers[criterion.value]["figure"] = str(data[f"{name}_figure"])
        return answers


class ExclusionsForm(forms.Form):
    """第十二条: the six circumstances of the last 3 years, each with the date of its event."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for condition in ExclusionCondition:
            name = f"excl_{condition.value}"
            self.fields[name] = forms.ChoiceField(
                label=condition.label, choices=YES_NO, widget=forms.RadioSelect, required=False
            )
            self.fields[f"{name}_evidence"] = forms.CharField(
                label=_("Evidence"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields[f"{name}_date"] = forms.DateField(
                label=_("Date of the event (if yes)"), required=False, widget=DATE_INPUT
            )
            self.rows.append((self[name], self[f"{name}_evidence"], self[f"{name}_date"]))

    @classmethod
    def initial_for(cls, answers):
        initial = {}
        for key, answer in answers.items():
            initial[f"excl_{key}"] = "yes" if answer["applies"] else "no"
            initial[f"excl_{key}_evidence"] = answer.get("evidence", "")
            initial[f"excl_{key}_date"] = answer.get("event_date") or None
        return initial

    def clean(self):
        data = super().clean()
        for condition in ExclusionCondition:
            name = f"excl_{condition.value}"
            if data.get(name) == "yes" and not data.get(f"{name}_date"):
                # 第十二条 counts 3 years from the event, so its date is part of the answer.
                self.add_error(f"{name}_date", _("Art. 12: give the date of the event."))
        return data

    def answers(self):
        data = self.cleaned_data
        return {
            str(c.value): {
                "applies": data[f"excl_{c.value}"] == "yes",
                "evidence": data.get(f"excl_{c.value}_evidence", ""),
                "event_date": data[f"excl_{c.value}_date"].isoformat() if data.get(f"excl_{c.value}_date") else "",
            }
            for c in ExclusionCondition
            if data.get(f"excl_{c.value}")
        }


class ItemsForm(forms.Form):
    """The template's items: met or not for requirements, the figure for indicators, how it is met."""

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            if item.kind == ItemKind.QUANTITATIVE:
                self.fields[f"value_{item.code}"] = forms.DecimalField(
                    label=item.text, required=False, min_value=0, max_digits=14, decimal_places=4
                )
            else:
                self.fields[f"met_{item.code}"] = forms.ChoiceField(
                    label=item.text,
                    choices=[("yes", _("Met")), ("no", _("Not met"))],
                    widget=forms.RadioSelect,
                    required=False,
                )
            self.fields[f"note_{item.code}"] = forms.CharField(
                label=_("How it is met"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
            )

    @classmethod
    def initial_for(cls, answers):
        initial = {}
        for code, answer in answers.items():
            initial[f"met_{code}"] = yes_no(answer.get("met"))
            initial[f"value_{code}"] = answer.get("value")
            initial[f"note_{code}"] = answer.get("note", "")
        return initial

    def answers(self):
        data, answers = self.cleaned_data, {}
        for item in self.items:
            met = data.get(f"met_{item.code}")
            answers[item.code] = {
                "met": {"yes": True, "no": False}.get(met),
                "value": data.get(f"value_{item.code}"),
                "note": data.get(f"note_{item.code}", ""),
            }
        return answers


class AgencyConclusionForm(forms.Form):
    """The third-party version's 评价结果 and the agency's own pledge (MIIT's template)."""

    agency_basic_met = forms.ChoiceField(
        label=_("Basic requirements"),
        choices=[("yes", _("Met")), ("no", _("Not met"))],
        widget=forms.RadioSelect,
        required=False,
    )
    agency_score = forms.DecimalField(label=_("Score"), required=False, min_value=0, max_value=100, decimal_places=2)
    agency_highlights = forms.CharField(
        label=_("Main highlights (at most 100 characters)"),
        required=False,
        max_length=100,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 100}),
    )
    agency_pledge = forms.BooleanField(
        label=_("Our agency promises that this evaluation is independent, objective and true (Art. 14, Art. 23)."),
        required=False,
    )


class PlanForm(forms.Form):
    problems_and_plan = forms.CharField(
        label=_("Problems found and next steps"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )


class SignedReportForm(forms.Form):
    """第十四条: the report the portal produced, signed and sealed, uploaded as a scan, with the pledge."""

    report = PdfField(label=_("Signed and sealed report (scanned PDF, at most 20 MB)"), required=False)
    pledge = forms.BooleanField(
        label=_(
            "We promise that the evaluation report and all materials are true and accurate, and accept "
            "responsibility for them (Art. 14)."
        ),
        required=False,
    )
