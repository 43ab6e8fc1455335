from django.urls import path

from reviews import views, views_expert, views_municipal, views_public

urlpatterns = [
    path("district/queue/", views.queue, name="district_queue"),
    path("district/recommendation/", views.batch, name="district_batch"),
    path("dossiers/<int:pk>/ready/", views.mark_ready, name="mark_ready"),
    path("city/conformity/", views_municipal.conformity_queue, name="conformity_queue"),
    path("city/conformity/<int:pk>/", views_municipal.conformity_check, name="conformity_check"),
    path("city/review/", views_municipal.review_board, name="review_board"),
    path("city/ranking/", views_municipal.ranking, name="ranking"),
    path("city/publicity/", views_municipal.publicity_batches, name="publicity_batches"),
    path("city/publicity/new/", views_municipal.create_publicity, name="create_publicity"),
    path("city/nominate/", views_municipal.nominate_selected, name="nominate_selected"),
    path("city/publicity/<int:pk>/", views_municipal.publicity_batch, name="publicity_batch"),
    path("city/objections/<int:pk>/evidence.pdf", views_municipal.objection_evidence, name="objection_evidence"),
    path("city/objections/<int:pk>/<slug:decision>/", views_municipal.decide_objection, name="decide_objection"),
    path("expert/", views_expert.assignments, name="expert_assignments"),
    path("expert/<int:pk>/", views_expert.score, name="expert_score"),
    path("public/publicity/", views_public.publicity_list, name="public_publicity_list"),
    path("public/publicity/<int:pk>/", views_public.publicity_detail, name="public_publicity"),
]
