from django import forms
from django.utils.translation import gettext_lazy as _


class TransitionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
