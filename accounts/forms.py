from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from applications.credit_code import CreditCodeFormField
from applications.models import District, Organisation


class SignupForm(UserCreationForm):
    """An enterprise's first user registers it; colleagues join by invitation."""

    credit_code = CreditCodeFormField(label=_("Unified social credit code"))
    organisation_name = forms.CharField(label=_("Organisation name"), max_length=200)
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.all())
    full_name = forms.CharField(label=_("Your name"), max_length=50)
    phone = forms.CharField(label=_("Mobile phone"), max_length=32)
    email = forms.EmailField(label=_("Email"))

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["credit_code", "organisation_name", "district", "full_name", "phone", "email", "username"]

    def clean_credit_code(self):
        code = self.cleaned_data["credit_code"]
        existing = Organisation.objects.filter(credit_code=code).select_related("district").first()
        if existing is not None:
            raise forms.ValidationError(
                _(
                    "%(name)s is already registered. Ask a colleague who has an account, or %(bureau)s, "
                    "to send you an invitation."
                )
                % {"name": existing.name, "bureau": existing.district.bureau_name}
            )
        return code


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email of the colleague to invite"))


class AcceptInvitationForm(UserCreationForm):
    full_name = forms.CharField(label=_("Your name"), max_length=50)
    phone = forms.CharField(label=_("Mobile phone"), max_length=32)

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["full_name", "phone", "username"]
