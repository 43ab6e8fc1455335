from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from operations import views as operations

admin.site.site_header = _("Green Manufacturing Gradient Cultivation Platform")
admin.site.site_title = _("Green manufacturing administration")

# Answered first by operations.middleware.OperationsEndpointsMiddleware (no session, no redirect); routed here too.
urlpatterns = [
    path("healthz", operations.healthz, name="healthz"),
    path("readyz", operations.readyz, name="readyz"),
    path("metrics", operations.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("admin-duties/", include("audit.urls")),  # 三员分立: the three administrators' screens
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("security/", include("security.urls")),  # the security administrator: locks, second factors
    path("", include("workdays.urls")),
    path("", include("exports.urls")),
    path("", include("reviews.urls")),
    path("", include("registry.urls")),
    path("", include("applications.urls")),
]

# The 500 page shows the request id the user can quote (operations/views.py).
handler500 = "operations.views.server_error"
