from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("Lists and dynamic management")

    def ready(self):
        from registry import listing  # noqa: F401  (connects the public list's cache invalidation)
