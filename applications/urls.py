from django.urls import path

from applications.views import (
    agency,
    annual,
    applicant,
    district,
    dossiers,
    import_jobs,
    self_evaluation,
    staff,
)
from applications.views import application as application_views
from applications.views import report as report_views
from applications.views import standards as standards_views

urlpatterns = [
    path("workspace/", dossiers.home, name="home"),
    path("dossiers/<int:pk>/", dossiers.dossier_detail, name="dossier_detail"),
    path("dossiers/<int:pk>/do/<slug:name>/", dossiers.dossier_transition, name="dossier_transition"),
    path("dossiers/<int:pk>/files/<slug:which>.pdf", dossiers.dossier_file, name="dossier_file"),
    path("dossiers/<int:pk>/application/", application_views.application_view, name="application_view"),
    path("dossiers/<int:pk>/evidence/<int:evidence_pk>/", application_views.evidence_file, name="evidence_file"),
    path(
        "dossiers/<int:pk>/reports/<int:version_pk>/", application_views.report_version_file, name="report_version_file"
    ),
    path(
        "dossiers/<int:pk>/self-evaluation/report.pdf",
        report_views.self_evaluation_report,
        name="self_evaluation_report",
    ),
    path("dossiers/<int:pk>/self-evaluation/", self_evaluation.self_evaluation, name="self_evaluation"),
    path(
        "dossiers/<int:pk>/self-evaluation/<slug:step>/", self_evaluation.self_evaluation, name="self_evaluation_step"
    ),
    path("dossiers/<int:pk>/report/", agency.upload_report, name="upload_report"),
    path("agency/awaiting/", agency.awaiting, name="agency_awaiting"),
    path("dossiers/<int:pk>/replace-report/", applicant.replace_report, name="replace_report"),
    path("agencies/", staff.agency_list, name="agency_list"),
    path("dossiers/<int:pk>/notes/", district.save_notes, name="save_notes"),
    path("pool/request/", applicant.pool_request, name="pool_request"),
    path("dossiers/<int:pk>/annual/", annual.annual_form, name="annual_form"),
    path("annual/", annual.annual_list, name="annual_list"),
    path("annual/<int:pk>/", annual.annual_detail, name="annual_detail"),
    path("city/changes/", annual.city_changes, name="city_changes"),
    path("organisations/<int:pk>/", annual.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/exclusions/", staff.record_exclusion, name="record_exclusion"),
    path(
        "organisations/<int:pk>/exclusions/<int:declaration_pk>/lift/",
        staff.lift_exclusion,
        name="lift_exclusion",
    ),
    path("standards/", standards_views.standards, name="standards"),
    path("standards/<int:pk>/", standards_views.standard_detail, name="standard_detail"),
    path("standards/<int:pk>/edit/", standards_views.standard_edit, name="standard_edit"),
    path("standards/<int:pk>/new-version/", standards_views.standard_new_version, name="standard_new_version"),
    path("district/pool/", district.pool, name="district_pool"),
    path("imports/<int:pk>/", import_jobs.job_page, name="import_job"),
    path("imports/<int:pk>/report.xlsx", import_jobs.report, name="import_report"),
    path("imports/<int:pk>/failed.xlsx", import_jobs.failed_rows, name="import_failed_rows"),
    path("district/pool/template.xlsx", district.pool_template, name="pool_template"),
    path("district/pool/search/", district.search_organisations, name="search_organisations"),
    path("district/pool/requests/<int:pk>/<slug:decision>/", district.decide_request, name="decide_pool_request"),
]
