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

from registry import views_management  # noqa: E402

urlpatterns += [
    path("rechecks/", views_management.rechecks, name="rechecks"),
    path("dossiers/<int:pk>/remove/", views_management.remove, name="remove_from_list"),
    path("public/removals/", views_management.public_removals, name="public_removals"),
    path("public/removals/<int:pk>.pdf", views_management.removal_pdf, name="removal_pdf"),
    path("public/report/", views_management.report_form, name="public_report"),
    path("city/reports/", views_management.city_reports, name="city_reports"),
    path("city/reports/<int:pk>/", views_management.city_report, name="city_report"),
    path("city/reports/<int:pk>/evidence.pdf", views_management.report_evidence, name="report_evidence"),
    path("district/reports/", views_management.district_reports, name="district_reports"),
    path("district/reports/<int:pk>/", views_management.district_report, name="district_report"),
    path(
        "district/reports/<int:pk>/evidence.pdf",
        views_management.district_report_evidence,
        name="district_report_evidence",
    ),
    path("city/national/", views_management.national, name="national"),
    path("dashboard/", views_management.dashboard, name="dashboard"),
]
