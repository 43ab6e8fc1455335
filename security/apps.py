from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "security"
    verbose_name = _("Login protection and two factors")

    def ready(self):
        from security import signals  # noqa: F401  (stamps the session's sign-in time)
