from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Green Manufacturing Gradient Cultivation Platform")
admin.site.site_title = _("Green manufacturing administration")

urlpatterns = [
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
