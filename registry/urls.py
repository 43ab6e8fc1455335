from django.urls import path

from registry import views

urlpatterns = [
    path("city/publicity/<int:pk>/publish/", views.publish, name="publish_list"),
    path("city/publicity/<int:pk>/notice.pdf", views.publicity_notice_pdf, name="publicity_notice_pdf"),
    path("city/lists/<int:pk>/announcement.pdf", views.list_announcement_pdf, name="list_announcement_pdf"),
    path("recommendation/<int:pk>/letter.pdf", views.recommendation_letter_pdf, name="recommendation_letter_pdf"),
    path("city/nominations/", views.nominations, name="nominations"),
    path("public/lists/", views.public_lists, name="public_lists"),
    path("public/lists/<int:pk>.pdf", views.public_list_pdf, name="public_list_pdf"),
]
