from django.urls import path

from applications import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dossiers/<int:pk>/", views.dossier_detail, name="dossier_detail"),
    path("dossiers/<int:pk>/do/<slug:name>/", views.dossier_transition, name="dossier_transition"),
]
