"""Records that are added, never changed or deleted: one mechanism for every such table."""

from django.core.exceptions import PermissionDenied
from django.db import models


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied(f"{self.model._meta.object_name} is append-only.")

    def delete(self):
        raise PermissionDenied(f"{self.model._meta.object_name} is append-only.")


class AppendOnlyModel(models.Model):
    """Refuses changing or deleting a stored row, one by one and through its queryset."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied(f"{type(self).__name__} is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied(f"{type(self).__name__} is append-only.")
