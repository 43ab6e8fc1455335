from django.urls import path

from exports import views

urlpatterns = [
    path("exports/<int:pk>/", views.job_page, name="export_job"),
    path("exports/<int:pk>/download/", views.download, name="export_download"),
]
