from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "identity"
    verbose_name = _("Unified identity")

    def ready(self):
        from identity import checks  # noqa: F401  (registers the configuration check)
