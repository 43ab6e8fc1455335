"""Forms of the registry's screens: removal (第二十一条, 第二十二条, 第二十五条), real-name report (第二十五条),
MIIT's national list (第十八条)."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.models import Agency, Kind, Organisation, RemovalGround


class RemovalForm(forms.Form):
    # No ground is preselected: the city names the one the facts establish (第二十一条, 第二十二条, 第二十五条).
    ground = forms.ChoiceField(
        label=gettext_lazy("Ground"),
        choices=[("", gettext_lazy("Choose a ground")), *RemovalGround.choices],
        error_messages={"required": gettext_lazy("Choose the ground of the removal (Art. 21, 22 or 25).")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Facts and reasons (published in the notice)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": gettext_lazy("Please give the facts and reasons: the removal notice publishes them (Art. 22).")
        },
    )


ANONYMOUS_REPORT = gettext_lazy(
    "Anonymous reports are not accepted (Art. 25): give your real name and contact details."
)


class ReportForm(forms.Form):
    target = forms.CharField(label=gettext_lazy("Unit or agency reported (full name)"), max_length=200)
    name = forms.CharField(
        label=gettext_lazy("Your real name"), max_length=100, error_messages={"required": ANONYMOUS_REPORT}
    )
    contact = forms.CharField(
        label=gettext_lazy("Your telephone or address"), max_length=100, error_messages={"required": ANONYMOUS_REPORT}
    )
    content = forms.CharField(
        label=gettext_lazy("What you report, with facts"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        error_messages={
            "required": gettext_lazy(
                "Please describe what you report, with facts: the district verifies them (Art. 25)."
            )
        },
    )
    evidence = forms.FileField(
        label=gettext_lazy("Evidence (PDF)"),
        error_messages={
            "required": gettext_lazy(
                "Please attach the evidence (Art. 25): a real-name report is accepted with supporting material."
            )
        },
    )
    email = forms.EmailField(
        label=gettext_lazy("Email (optional)"),
        required=False,
        help_text=gettext_lazy(
            "Only to send you the receipt number, the access code and news of the decision "
            "(Personal Information Protection Law: collected for this purpose only)."
        ),
    )

    def clean_target(self):
        name = self.cleaned_data["target"].strip()
        self.organisation = Organisation.objects.filter(name=name).first()
        self.agency = None if self.organisation else Agency.objects.filter(name=name).first()
        if not (self.organisation or self.agency):
            raise forms.ValidationError(_("No listed unit or evaluation agency has this exact name."))
        return name

    def clean_evidence(self):
        from applications.uploads import validate_pdf

        evidence = self.cleaned_data.get("evidence")
        if evidence:
            validate_pdf(evidence)
        return evidence


class NationalImportForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year of the national list"), min_value=2017, max_value=2100)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Kind.choices)
    sheet = forms.FileField(label=gettext_lazy("MIIT's list (.xlsx: 序号, 地区, 名称, optional 统一社会信用代码)"))
