from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.credit_code import CreditCodeFormField
from applications.models import (
    Agency,
    ExclusionCondition,
    Kind,
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


class ReportUploadForm(forms.Form):
    """第十四条: the agency's report and its truthfulness pledge; each missing part is named in its error."""

    report = PdfField(
        label=_("Evaluation report (PDF, at most 20 MB)"),
        error_messages={
            "required": _("Please upload the evaluation report (PDF, Art. 14)."),
            "invalid": _("Please upload the evaluation report (PDF, Art. 14)."),
        },
    )
    attested = forms.BooleanField(
        label=_("We attest that this evaluation report is true and accurate (Art. 14)."),
        required=True,
        error_messages={"required": _("Please tick the truthfulness pledge (Art. 14).")},
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

    credit_code = CreditCodeFormField(
        label=_("Unified social credit code"),
        error_messages={
            "required": _(
                "Please enter the unified social credit code: the district checks the unit's identity with it (Art. 9)."
            )
        },
    )
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
    reason = forms.CharField(
        label=_("What was wrong"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Please say what was wrong: the flag is kept on the agency's record (Art. 23).")},
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies


class ExclusionRecordForm(forms.Form):
    """第十二条: staff record a circumstance found in the records, with the date it happened."""

    condition = forms.TypedChoiceField(label=_("Art. 12 item"), choices=ExclusionCondition.choices, coerce=int)
    event_date = forms.DateField(
        label=_("Date of the event"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Please give the date of the event: the exclusion runs 3 years from it (Art. 12).")
        },
    )
    evidence = forms.CharField(
        label=_("What was found, and where"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Please say what was found and where: the unit may ask to see it (Art. 12).")},
    )

    def clean_event_date(self):
        day = self.cleaned_data["event_date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date of the event cannot be in the future."))
        return day
