from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("Organisations and dossiers")

    def ready(self):
        from django.db.models.signals import post_delete, post_migrate, post_save

        from applications import (
            append_only_sql,
            signals,  # noqa: F401  (connects the transition-log receiver)
        )
        from greenfactory import paging

        # A change anywhere forgets the list totals shared between requests (greenfactory/paging.py).
        post_save.connect(paging.forget_counts, dispatch_uid="forget-list-counts-on-save")
        post_delete.connect(paging.forget_counts, dispatch_uid="forget-list-counts-on-delete")

        # After every migrate, PostgreSQL's own triggers keep the append-only tables as written (issue 14).
        post_migrate.connect(append_only_sql.install, sender=self, dispatch_uid="append-only-triggers")
