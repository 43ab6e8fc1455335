from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from reviews.expert_review import NO_CONFLICT_REQUIRED
from reviews.models import CONFORMITY_ITEMS, Objection


class ConformityForm(forms.Form):
    reasons = forms.CharField(
        label=_("Reasons (shown to the district and the applicant)"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in CONFORMITY_ITEMS:
            self.fields[f"item_{key}"] = forms.BooleanField(label=label, required=False)

    def results(self):
        return {key: self.cleaned_data.get(f"item_{key}", False) for key, _label in CONFORMITY_ITEMS}


class AssignForm(forms.Form):
    experts = forms.ModelMultipleChoiceField(
        label=_("Experts"),
        queryset=User.objects.filter(role=Role.EXPERT, is_active=True),
        widget=forms.CheckboxSelectMultiple,
    )


class ScoreForm(forms.Form):
    """An expert's scores: a draft may leave criteria empty; final scores (``final=True``) need them all."""

    comment = forms.CharField(
        label=_("Comments"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )

    # 第十七条: final scores come with the expert's declaration of no conflict (``expert_review.submit_final``).
    no_conflict = forms.BooleanField(
        label=_("I declare that I have no conflict of interest with this unit or its evaluation agency (Art. 17)."),
        required=False,
        help_text=_(
            "Final scores need this declaration; a draft does not. If you are linked to this unit or its evaluation "
            "agency, declare the conflict of interest instead."
        ),
        error_messages={"required": NO_CONFLICT_REQUIRED},
    )

    def __init__(self, *args, criteria, final=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        self.fields["no_conflict"].required = final
        for criterion in criteria:
            self.fields[f"c{criterion.pk}"] = forms.DecimalField(
                label=f"{criterion.name}（{criterion.weight}%）",
                required=final,
                min_value=0,
                max_value=criterion.max_score,
                decimal_places=2,
                help_text=_("0 to %(max)d") % {"max": criterion.max_score},
                error_messages={"required": _("Score every criterion before submitting your final scores.")},
            )

    def rows(self):
        """(criterion, its score field), to show what the expert looks for beside each input."""
        return [(c, self[f"c{c.pk}"]) for c in self.criteria]

    def scores(self):
        return {str(c.pk): self.cleaned_data.get(f"c{c.pk}") for c in self.criteria}


class PublicityForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_on = forms.DateField(
        label=_("First day of publicity"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    contact = forms.CharField(label=_("Objection contact (office, telephone, address)"), max_length=300)

    def clean_starts_on(self):
        day = self.cleaned_data["starts_on"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("The publicity cannot start in the past."))
        return day


PHONE = RegexValidator(r"^[0-9+()\- ]{7,20}$", _("Give a telephone number (digits, 7 to 20 characters)."))
ANONYMOUS_OBJECTION = _(
    "Anonymous objections are not accepted: give your real name (or your unit's) and a telephone number."
)


class ObjectionForm(forms.Form):
    entry = forms.IntegerField(widget=forms.HiddenInput)
    objector_kind = forms.ChoiceField(
        label=_("You object as"), choices=Objection.ObjectorKind.choices, widget=forms.RadioSelect
    )
    name = forms.CharField(
        label=_("Real name (or the unit's full name)"), max_length=100, error_messages={"required": ANONYMOUS_OBJECTION}
    )
    phone = forms.CharField(
        label=_("Contact telephone"),
        max_length=32,
        validators=[PHONE],
        error_messages={"required": ANONYMOUS_OBJECTION},
    )
    content = forms.CharField(
        label=_("Objection and its grounds"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    evidence = forms.FileField(label=_("Evidence (PDF, sealed or signed)"), required=False)
    email = forms.EmailField(
        label=_("Email (optional)"),
        required=False,
        help_text=_(
            "Only to send you the receipt number, the access code and news of the decision "
            "(Personal Information Protection Law: collected for this purpose only)."
        ),
    )

    def clean_evidence(self):
        from applications.uploads import validate_pdf

        evidence = self.cleaned_data.get("evidence")
        if evidence:
            validate_pdf(evidence)
        return evidence


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Decision and reasons"), max_length=3000, widget=forms.Textarea(attrs={"rows": 2}))
