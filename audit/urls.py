from django.urls import path

from audit import views

urlpatterns = [
    path("", views.home, name="duties_home"),
    path("superuser/", views.superuser_refused, name="superuser_refused"),
    path("accounts/", views.users, name="duties_users"),
    path("accounts/<int:pk>/active/<int:active>/", views.set_active, name="duties_set_active"),
    path("roles/", views.roles, name="duties_roles"),
    path("roles/<int:pk>/", views.grant, name="duties_grant"),
    path("roles/<int:pk>/second-factor/reset/", views.reset_second_factor, name="duties_reset_second_factor"),
    path("roles/<int:pk>/unlock/", views.unlock, name="duties_unlock"),
    path("audit-log/", views.audit_log, name="audit_log"),
]
