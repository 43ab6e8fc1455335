"""The admin face of records kept as written (``applications.models.append_only``).

django-simple-history's "revert" screen saves an old version through the admin form whatever
``has_change_permission`` says; here it refuses, with a message, for superusers too. Change and delete
are refused; a model's own ``append_only_mutable`` fields stay editable only where an admin names them
in ``editable_fields`` (e.g. a removal's "reported to MIIT").
"""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

REVERT_REFUSED = _("This record is kept as written: it cannot be reverted, changed or deleted.")


class AppendOnlyAdminMixin:
    """Put before ``SimpleHistoryAdmin`` or ``admin.ModelAdmin``: a read-only admin with no revert."""

    editable_fields = ()  # fields of the model's ``append_only_mutable`` that staff may change here

    def has_change_permission(self, request, obj=None):
        return bool(self.editable_fields) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return super().get_readonly_fields(request, obj)
        hidden = set(self.editable_fields) | set(self.exclude or ())  # an excluded field is never shown
        return [f.name for f in self.model._meta.fields if f.name not in hidden]

    # django-simple-history
    def has_change_history_permission(self, request, obj=None):
        return False

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            messages.error(request, REVERT_REFUSED)
            opts = self.model._meta
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[object_id])
            return HttpResponseRedirect(url)
        return super().history_form_view(request, object_id, version_id, extra_context)
