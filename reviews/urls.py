from django.urls import path

from reviews.views import district, expert, municipal, public
from reviews.views import rounds as round_views

urlpatterns = [
    path("district/queue/", district.queue, name="district_queue"),
    path("district/recommendation/", district.batch, name="district_batch"),
    path("dossiers/<int:pk>/ready/", district.mark_ready, name="mark_ready"),
    path("city/conformity/", municipal.conformity_queue, name="conformity_queue"),
    path("city/conformity/<int:pk>/", municipal.conformity_check, name="conformity_check"),
    path("city/review/", municipal.review_board, name="review_board"),
    path("city/ranking/", municipal.ranking, name="ranking"),
    path("city/publicity/", municipal.publicity_batches, name="publicity_batches"),
    path("city/publicity/new/", municipal.create_publicity, name="create_publicity"),
    path("city/nominate/", municipal.nominate_selected, name="nominate_selected"),
    path("city/publicity/<int:pk>/", municipal.publicity_batch, name="publicity_batch"),
    path("city/objections/<int:pk>/evidence.pdf", municipal.objection_evidence, name="objection_evidence"),
    path("city/objections/<int:pk>/<slug:decision>/", municipal.decide_objection, name="decide_objection"),
    path("rounds/", round_views.rounds, name="rounds"),
    path("rounds/new/", round_views.round_new, name="round_new"),
    path("rounds/<int:pk>/edit/", round_views.round_edit, name="round_edit"),
    path("expert/", expert.assignments, name="expert_assignments"),
    path("expert/<int:pk>/", expert.score, name="expert_score"),
    path("public/publicity/", public.publicity_list, name="public_publicity_list"),
    path("public/publicity/<int:pk>/", public.publicity_detail, name="public_publicity"),
]
