from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.models import EventType


class NewAccountForm(UserCreationForm):
    """The system administrator creates an account without a role: the security administrator grants it."""

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "last_name", "first_name", "email", "phone")


class RoleForm(forms.ModelForm):
    """The security administrator's grant: a role and its scope (the model's clean checks the combination)."""

    class Meta:
        model = User
        fields = ("role", "district", "organisation", "agency")


class AuditSearchForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    actor = forms.CharField(label=_("User name"), required=False)
    event_type = forms.ChoiceField(label=_("Event"), required=False, choices=[("", "—"), *EventType.choices])
    q = forms.CharField(label=_("Text"), required=False)


class UserSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
