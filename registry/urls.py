from django.urls import path

from registry.feeds import NoticesFeed
from registry.views import city, district, public, staff
from registry.views import documents as documents_views
from registry.views import tracking as tracking_views
from registry.views import verify as verify_views

urlpatterns = [
    path("city/publicity/<int:pk>/publish/", city.publish, name="publish_list"),
    path("city/publicity/<int:pk>/notice.pdf", city.publicity_notice_pdf, name="publicity_notice_pdf"),
    path("city/lists/<int:pk>/announcement.pdf", city.list_announcement_pdf, name="list_announcement_pdf"),
    path("recommendation/<int:pk>/letter.pdf", staff.recommendation_letter_pdf, name="recommendation_letter_pdf"),
    path("city/nominations/", city.nominations, name="nominations"),
    path("", public.public_home, name="public_home"),
    path("public/lists/", public.public_lists, name="public_lists"),
    path("open-data/lists.csv", public.open_data_csv, name="open_data_csv"),
    path("open-data/lists.json", public.open_data_json, name="open_data_json"),
    path("open-data/schema.json", public.open_data_schema, name="open_data_schema"),
    path("open-data/notices.atom", NoticesFeed(), name="open_data_notices_feed"),
    path("public/lists/<int:pk>.pdf", public.public_list_pdf, name="public_list_pdf"),
]


urlpatterns += [
    path("rechecks/", staff.rechecks, name="rechecks"),
    path("dossiers/<int:pk>/remove/", city.remove, name="remove_from_list"),
    path("public/removals/", public.public_removals, name="public_removals"),
    path("public/removals/<int:pk>.pdf", public.removal_pdf, name="removal_pdf"),
    path("public/report/", public.report_form, name="public_report"),
    path("public/receipt/", tracking_views.receipt, name="public_receipt"),
    path("track/", tracking_views.track, name="track_submission"),
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
    path("documents/", documents_views.issued_documents, name="issued_documents"),
    path("documents/registers/", documents_views.registers, name="document_registers"),
    path("documents/<int:pk>.pdf", documents_views.issued_document_pdf, name="issued_document_pdf"),
    path("documents/<slug:kind>/<int:pk>/preview.pdf", documents_views.preview, name="document_preview"),
    path("documents/<slug:kind>/<int:pk>/issue/", documents_views.issue, name="document_issue"),
]

urlpatterns += [
    path("verify/", verify_views.verify_document, name="verify_document"),
    path("verify/documents/<int:pk>.pdf", verify_views.verified_document_pdf, name="verified_document_pdf"),
]
