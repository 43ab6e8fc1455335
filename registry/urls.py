from django.urls import path

from registry.views import city, district, public, staff

urlpatterns = [
    path("city/publicity/<int:pk>/publish/", city.publish, name="publish_list"),
    path("city/publicity/<int:pk>/notice.pdf", city.publicity_notice_pdf, name="publicity_notice_pdf"),
    path("city/lists/<int:pk>/announcement.pdf", city.list_announcement_pdf, name="list_announcement_pdf"),
    path("recommendation/<int:pk>/letter.pdf", staff.recommendation_letter_pdf, name="recommendation_letter_pdf"),
    path("city/nominations/", city.nominations, name="nominations"),
    path("public/lists/", public.public_lists, name="public_lists"),
    path("public/lists/<int:pk>.pdf", public.public_list_pdf, name="public_list_pdf"),
]


urlpatterns += [
    path("rechecks/", staff.rechecks, name="rechecks"),
    path("dossiers/<int:pk>/remove/", city.remove, name="remove_from_list"),
    path("public/removals/", public.public_removals, name="public_removals"),
    path("public/removals/<int:pk>.pdf", public.removal_pdf, name="removal_pdf"),
    path("public/report/", public.report_form, name="public_report"),
    path("city/reports/", city.city_reports, name="city_reports"),
    path("city/reports/<int:pk>/", city.city_report, name="city_report"),
    path("city/reports/<int:pk>/evidence.pdf", city.report_evidence, name="report_evidence"),
    path("district/reports/", district.district_reports, name="district_reports"),
    path("district/reports/<int:pk>/", district.district_report, name="district_report"),
    path(
        "district/reports/<int:pk>/evidence.pdf",
        district.district_report_evidence,
        name="district_report_evidence",
    ),
    path("city/national/", city.national, name="national"),
    path("dashboard/", staff.dashboard, name="dashboard"),
]
