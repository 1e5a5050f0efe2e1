from django.urls import path

from learning import views

app_name = "learning"
urlpatterns = [
    path("proposals/", views.proposal_queue, name="proposals"),
    path("proposals/<int:pk>/decide/", views.proposal_decide, name="decide"),
    path("propose/<str:code>/", views.propose, name="propose"),
    path("questionnaire/<str:kind>/<int:number>/", views.version_page, name="version"),
    path("questionnaire/<str:kind>/<int:number>/what-if/", views.whatif_page, name="whatif"),
    path("questionnaire/<str:kind>/<int:number>/publish/", views.publish, name="publish"),
    path("questionnaire/<str:kind>/<int:number>/lens.json", views.lens_export, name="lens_export"),
    path("questionnaire/<str:kind>/<int:number>/new-draft/", views.new_draft, name="new_draft"),
    path("questionnaire/<str:kind>/<int:number>/sections/", views.section_action,
         name="section_action"),
    path("questionnaire/<str:kind>/<int:number>/sections/<slug:section_key>/add/",
         views.question_edit, name="question_add"),
    path("questionnaire/<str:kind>/<int:number>/questions/<slug:key>/", views.question_edit,
         name="question_edit"),
    path("questionnaire/<str:kind>/<int:number>/questions/<slug:key>/action/",
         views.question_action, name="question_action"),
    path("questionnaire/<str:kind>/<int:number>/rereview/", views.rereview_start,
         name="rereview_start"),
    path("rereview/<int:pk>/", views.rereview_page, name="rereview"),
    path("questionnaire/<str:kind>/import-lens/", views.lens_import, name="lens_import"),
]
