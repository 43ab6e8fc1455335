from django.urls import path

from reviews import views

urlpatterns = [
    path("district/queue/", views.queue, name="district_queue"),
    path("district/recommendation/", views.batch, name="district_batch"),
    path("dossiers/<int:pk>/ready/", views.mark_ready, name="mark_ready"),
]
