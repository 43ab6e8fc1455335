from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.credit_code import CreditCodeFormField
from applications.models import (
    ELIGIBILITY_CRITERIA,
    INDICATORS,
    Agency,
    EvaluationMode,
    ExclusionCondition,
    Kind,
    Organisation,
)
from applications.uploads import validate_pdf

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class TransitionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )


class PdfField(forms.FileField):
    """A PDF checked by its content (magic bytes), size and emptiness; errors in plain Chinese."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}))
        super().__init__(allow_empty_file=True, **kwargs)

    def clean(self, data, initial=None):
        uploaded = super().clean(data, initial)
        if uploaded and uploaded is not initial:
            validate_pdf(uploaded)
        return uploaded


def cycle_year_choices():
    from applications.models.guards import open_cycle_year

    year = open_cycle_year(timezone.localdate())
    return [(y, str(y)) for y in (year, year + 1)]


class OrganisationProfileForm(forms.ModelForm):
    """Basic information of MIIT's self-evaluation template (name and code change only via Art. 20)."""

    class Meta:
        model = Organisation
        fields = [
            "industry",
            "address",
            "ownership",
            "registered_capital",
            "established_on",
            "legal_representative",
            "contact_name",
            "contact_phone",
            "contact_email",
        ]
        widgets = {"established_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class SelfEvaluationForm(forms.Form):
    """The self-evaluation of one dossier: eligibility, exclusions, evaluation mode, indicators, pledge.

    Fields are built from the dossier's kind (第九条/第十条/第十一条) and the six items of 第十二条.
    ``strict`` (on submit) requires every answer with its evidence; a draft may be incomplete.
    """

    evaluation_mode = forms.ChoiceField(label=_("Evaluation"), choices=EvaluationMode.choices, widget=forms.RadioSelect)
    agency = forms.ModelChoiceField(label=_("Commissioned agency"), queryset=Agency.objects.all(), required=False)
    product_unit = forms.CharField(label=_("Product unit"), max_length=20, required=False)
    report = PdfField(label=_("Evaluation report (PDF, at most 20 MB)"), required=False)
    evidence_file = PdfField(label=_("Supporting evidence (PDF, optional)"), required=False)
    pledge = forms.BooleanField(
        label=_(
            "We promise that the evaluation report and all materials are true and accurate, and accept "
            "responsibility for them (Art. 14)."
        ),
        required=False,
    )

    def __init__(self, *args, dossier, strict=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.dossier, self.strict = dossier, strict
        self.eligibility = []
        for criterion in ELIGIBILITY_CRITERIA[dossier.kind]:
            name = f"elig_{criterion.value}"
            self.fields[name] = forms.ChoiceField(
                label=criterion.label, choices=YES_NO, widget=forms.RadioSelect, required=False
            )
            self.fields[f"{name}_evidence"] = forms.CharField(
                label=_("Evidence"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.eligibility.append((self[name], self[f"{name}_evidence"]))
        self.exclusions = []
        for condition in ExclusionCondition:
            name = f"excl_{condition.value}"
            self.fields[name] = forms.ChoiceField(
                label=condition.label, choices=YES_NO, widget=forms.RadioSelect, required=False
            )
            self.fields[f"{name}_evidence"] = forms.CharField(
                label=_("Evidence"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields[f"{name}_date"] = forms.DateField(
                label=_("Date of the event (if yes)"),
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )
            self.exclusions.append((self[name], self[f"{name}_evidence"], self[f"{name}_date"]))
        self.indicators = []
        evaluation = getattr(dossier, "self_evaluation", None)
        product = (evaluation.product_unit if evaluation else "") or _("unit of product")
        for field, label, unit in INDICATORS:
            unit = unit.format(product=product)
            self.fields[field] = forms.DecimalField(
                label=label, required=False, min_value=0, max_digits=14, decimal_places=4
            )
            self.indicators.append((self[field], unit))

    @classmethod
    def initial_for(cls, dossier):
        evaluation = getattr(dossier, "self_evaluation", None)
        initial = {"evaluation_mode": dossier.evaluation_mode, "agency": dossier.agency_id}
        if evaluation is None:
            return initial
        initial.update(product_unit=evaluation.product_unit, pledge=evaluation.pledge)
        for field, _label, _unit in INDICATORS:
            initial[field] = getattr(evaluation, field)
        for key, answer in evaluation.eligibility_answers.items():
            initial[f"elig_{key}"] = "yes" if answer["met"] else "no"
            initial[f"elig_{key}_evidence"] = answer.get("evidence", "")
        for key, answer in evaluation.exclusion_answers.items():
            initial[f"excl_{key}"] = "yes" if answer["applies"] else "no"
            initial[f"excl_{key}_evidence"] = answer.get("evidence", "")
            initial[f"excl_{key}_date"] = answer.get("event_date") or None
        return initial

    def clean(self):
        data = super().clean()
        if data.get("evaluation_mode") == EvaluationMode.AGENCY and not data.get("agency"):
            self.add_error("agency", _("Choose the agency you commissioned."))
        if not self.strict:
            return data
        for prefix in ("elig", "excl"):
            for name in [
                n for n in self.fields if n.startswith(prefix + "_") and not n.endswith(("_evidence", "_date"))
            ]:
                if not data.get(name):
                    self.add_error(name, _("Please answer this question."))
                elif not data.get(f"{name}_evidence", "").strip():
                    self.add_error(f"{name}_evidence", _("Please give the evidence for your answer."))
                elif prefix == "excl" and data[name] == "yes" and not data.get(f"{name}_date"):
                    # 第十二条: "within the last 3 years" counts from the event, so its date is part of the answer.
                    self.add_error(f"{name}_date", _("Art. 12: give the date of the event."))
        if not data.get("pledge"):
            self.add_error("pledge", _("Art. 14: please attest that the report and materials are true and accurate."))
        if not data.get("report") and not self.dossier.report:
            self.add_error("report", _("Please upload the evaluation report as one PDF."))
        return data

    def draft_values(self):
        """The cleaned data in the shape of SelfEvaluation's fields (answers as JSON)."""
        data = self.cleaned_data
        values = {
            "product_unit": data.get("product_unit", ""),
            "pledge": bool(data.get("pledge")),
            "evaluation_mode": data.get("evaluation_mode") or EvaluationMode.SELF,
            "agency": data.get("agency"),
        }
        for field, _label, _unit in INDICATORS:
            values[field] = data.get(field)
        values["eligibility_answers"] = {
            criterion.value: {
                "met": data[f"elig_{criterion.value}"] == "yes",
                "evidence": data.get(f"elig_{criterion.value}_evidence", ""),
            }
            for criterion in ELIGIBILITY_CRITERIA[self.dossier.kind]
            if data.get(f"elig_{criterion.value}")
        }
        values["exclusion_answers"] = {
            str(c.value): {
                "applies": data[f"excl_{c.value}"] == "yes",
                "evidence": data.get(f"excl_{c.value}_evidence", ""),
                "event_date": data[f"excl_{c.value}_date"].isoformat() if data.get(f"excl_{c.value}_date") else "",
            }
            for c in ExclusionCondition
            if data.get(f"excl_{c.value}")
        }
        return values


class ReportUploadForm(forms.Form):
    report = PdfField(label=_("Evaluation report (PDF, at most 20 MB)"))
    attested = forms.BooleanField(
        label=_("We attest that this evaluation report is true and accurate (Art. 14)."), required=True
    )


class ReplacementReportForm(forms.Form):
    """第二十五条: a new report for a dossier whose agency was barred after submission."""

    agency = forms.ModelChoiceField(
        label=_("Agency that made the new report"),
        queryset=Agency.objects.all(),
        required=False,
        empty_label=_("None: our own self-evaluation (where the round allows it)"),
    )
    report = PdfField(label=_("Evaluation report (PDF, at most 20 MB)"))
    attested = forms.BooleanField(
        label=_("Our unit promises that this evaluation report is true and accurate (Art. 14)."), required=True
    )


class PoolRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    cycle_year = forms.TypedChoiceField(label=_("Cycle year"), coerce=int, choices=cycle_year_choices)
    note = forms.CharField(
        label=_("Note to the district"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class PoolAddForm(forms.Form):
    """A district officer adds one unit to the pool; an unknown code with a name registers it."""

    credit_code = CreditCodeFormField(label=_("Unified social credit code"))
    name = forms.CharField(label=_("Name (for a unit not yet registered)"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    cycle_year = forms.TypedChoiceField(label=_("Cycle year"), coerce=int, choices=cycle_year_choices)


class BulkPoolForm(forms.Form):
    sheet = forms.FileField(
        label=_("Excel sheet (.xlsx): column A credit code, column B name (for new units)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    cycle_year = forms.TypedChoiceField(label=_("Cycle year"), coerce=int, choices=cycle_year_choices)

    def clean_sheet(self):
        from applications.spreadsheets import read_code_rows

        sheet = self.cleaned_data["sheet"]
        if sheet.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("The sheet is larger than 5 MB."))
        self.rows = read_code_rows(sheet)
        return sheet


class NotesForm(forms.Form):
    cultivation_notes = forms.CharField(
        label=_("Cultivation plan notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AgencyFlagForm(forms.Form):
    """第二十三条: a district officer's note of an agency's poor work."""

    agency = forms.ModelChoiceField(label=_("Agency"), queryset=None)
    reason = forms.CharField(label=_("What was wrong"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies


class ExclusionRecordForm(forms.Form):
    """第十二条: staff record a circumstance found in the records, with the date it happened."""

    condition = forms.TypedChoiceField(label=_("Art. 12 item"), choices=ExclusionCondition.choices, coerce=int)
    event_date = forms.DateField(
        label=_("Date of the event"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    evidence = forms.CharField(
        label=_("What was found, and where"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_event_date(self):
        day = self.cleaned_data["event_date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date of the event cannot be in the future."))
        return day
