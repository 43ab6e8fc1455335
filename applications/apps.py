from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("Organisations and dossiers")

    def ready(self):
        from applications import signals  # noqa: F401  (connects the transition-log receiver)
