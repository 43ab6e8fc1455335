from django.urls import path

from workdays import views

urlpatterns = [path("calendar/", views.calendar, name="calendar")]
