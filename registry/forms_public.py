"""The public list search (home page and /public/lists/): every field optional, every value checked."""

from django import forms
from django.utils.translation import gettext_lazy as _

from applications.models import District, Kind, Level
from registry.listing import listed_years

PAGE_SIZES = (20, 50)


class SearchInput(forms.TextInput):
    input_type = "search"


class ListSearchForm(forms.Form):
    q = forms.CharField(label=_("Unit name"), required=False, max_length=100, widget=SearchInput)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    district = forms.ModelChoiceField(
        label=_("District"), queryset=District.objects.all(), required=False, empty_label=_("All")
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All")), *Kind.choices])
    level = forms.ChoiceField(label=_("List level"), required=False, choices=[("", _("All")), *Level.choices])
    per_page = forms.TypedChoiceField(
        label=_("Rows per page"),
        required=False,
        coerce=int,
        empty_value=PAGE_SIZES[0],
        choices=[(n, n) for n in PAGE_SIZES],
    )

    def __init__(self, data, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        years = [("", _("All")), *((y, y) for y in listed_years())]
        self.fields["year"].widget = forms.Select(choices=years)
        for name, field in self.fields.items():
            css = "form-control form-control-sm" if name == "q" else "form-select form-select-sm"
            field.widget.attrs.update({"id": f"f-{name}", "class": css})
        self.fields["q"].widget.attrs.update({"placeholder": _("Part of the name"), "autocomplete": "off"})

    def filters(self):
        """Keyword arguments for ``registry.listing.listed_dossiers``; an invalid value filters nothing."""
        self.is_valid()  # cleaned_data then holds the valid fields only
        data = self.cleaned_data
        district = data.get("district")
        return {
            "name": (data.get("q") or "").strip() or None,
            "year": data.get("year") or None,
            "district_id": district.pk if district else None,
            "kind": data.get("kind") or None,
            "level": data.get("level") or None,
        }

    def page_size(self):
        self.is_valid()
        return self.cleaned_data.get("per_page") or PAGE_SIZES[0]
