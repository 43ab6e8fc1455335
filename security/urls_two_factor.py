from django.urls import path

from security import views

urlpatterns = [
    path("", views.verify, name="two_factor"),
    path("setup/", views.setup, name="two_factor_setup"),
    path("recovery-codes/", views.recovery_codes, name="two_factor_recovery_codes"),
]
