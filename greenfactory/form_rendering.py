"""How every form of the portal is drawn by django-bootstrap5 (settings.BOOTSTRAP5["field_renderers"]), issue 15.

- A choice field's empty choice reads "请选择" (Please choose), not Django's "---------": ModelChoiceField's
  ``empty_label`` and the blank choice Django adds to a model field's choices are renamed when the field is drawn,
  so no form has to repeat it (a form that names its own empty label, e.g. "All" in a filter, keeps it).
- After a failed submission only the fields in error are marked (red); the others are not marked valid in green
  (an empty optional field was "valid" only in the sense that nothing was asked of it).
- Django's bare "This field is required." names the field: "此项为必填项：<label>。". A form that says why a field
  is needed (``error_messages={"required": …}``) keeps its own message.
"""

from django import forms
from django.utils.html import conditional_escape
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_bootstrap5.renderers import FieldRenderer

DJANGO_EMPTY_LABEL = "---------"
PLEASE_CHOOSE = _("Please choose")


def rename_empty_choice(field):
    """Give a choice form field "Please choose" instead of "---------" as its empty choice (in place)."""
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label == DJANGO_EMPTY_LABEL:
            field.empty_label = PLEASE_CHOOSE
        return
    if isinstance(field, forms.ChoiceField) and not callable(getattr(field, "_choices", None)):
        choices = list(field.choices)
        if any(value in ("", None) and label == DJANGO_EMPTY_LABEL for value, label in choices):
            field.choices = [
                (value, PLEASE_CHOOSE if value in ("", None) and label == DJANGO_EMPTY_LABEL else label)
                for value, label in choices
            ]


class PortalFieldRenderer(FieldRenderer):
    def __init__(self, field, **kwargs):
        rename_empty_choice(field.field)
        super().__init__(field, **kwargs)
        bare = gettext("This field is required.")
        label = self.label or field.name
        self.field_errors = [
            conditional_escape(gettext("This field is required: %(label)s.") % {"label": label})
            if str(error) == bare
            else error
            for error in self.field_errors
        ]

    def get_server_side_validation_classes(self):
        return "is-invalid" if self.field_errors else ""
