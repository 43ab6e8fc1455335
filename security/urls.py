from django.urls import path

from security import views

urlpatterns = [
    path("locks/", views.locks, name="security_locks"),
    path("locks/unlock/", views.unlock, name="security_unlock"),
    path("users/<int:pk>/reset-second-factor/", views.reset_second_factor, name="security_reset_second_factor"),
]
