"""Records that are added, never changed or deleted: one mechanism for every such table.

A model lists in ``append_only_mutable`` the few fields that legitimately change after the row is written
(e.g. an exclusion's lifting, 第十二条); every other field refuses to change, whatever the path: ``save()``,
``delete()``, the queryset's ``update()``/``delete()``/``bulk_update()``, and the admin's history "revert"
(which saves an old version). The admin refuses too (``applications.admin_append_only``).
"""

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyRefused(PermissionDenied):
    """A change or deletion of a record that is kept as written."""


def refusal(model):
    return AppendOnlyRefused(
        _("%(record)s is a record kept as written: it cannot be changed or deleted.")
        % {"record": model._meta.verbose_name}
    )


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        mutable = getattr(self.model, "append_only_mutable", ())
        if not kwargs or not set(kwargs) <= set(mutable):
            raise refusal(self.model)
        return super().update(**kwargs)

    def delete(self):
        raise refusal(self.model)

    def bulk_update(self, objs, fields, *args, **kwargs):
        # Refused before Django's own atomic block, which would leave the caller's transaction broken.
        if not set(fields) <= set(getattr(self.model, "append_only_mutable", ())):
            raise refusal(self.model)
        return super().bulk_update(objs, fields, *args, **kwargs)

    def bulk_create(self, objs, *args, update_conflicts=False, **kwargs):
        if update_conflicts:
            raise refusal(self.model)
        return super().bulk_create(objs, *args, **kwargs)


class AppendOnlyModel(models.Model):
    """Refuses changing or deleting a stored row, one by one and through its queryset."""

    # Fields that may change after the row is written; empty: the row never changes.
    append_only_mutable = ()
    # Fields filled once after the row is written (while still empty), then kept; never by a bulk update.
    append_only_set_once = ()

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            self._refuse_changes_outside_mutable(kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise refusal(type(self))

    def _refuse_changes_outside_mutable(self, update_fields):
        if not (self.append_only_mutable or self.append_only_set_once):
            raise refusal(type(self))
        if update_fields is not None and set(update_fields) <= set(self.append_only_mutable):
            return
        fixed = [f.attname for f in self._meta.concrete_fields if f.name not in self.append_only_mutable]
        stored = type(self)._base_manager.filter(pk=self.pk).values(*fixed).first()
        if stored is None:
            raise refusal(type(self))
        for name in fixed:
            unchanged = stored[name] == getattr(self, name)
            filled_once = name in self.append_only_set_once and stored[name] in (None, "", [], {})
            if not (unchanged or filled_once):
                raise refusal(type(self))
