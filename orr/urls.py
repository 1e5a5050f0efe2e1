from django.urls import path

from orr import views, views_campaigns, views_history

app_name = "orr"
urlpatterns = [
    path("", views.review_list, name="list"),
    path("start/<slug:slug>/", views.review_start, name="start"),
    path("campaigns/", views_campaigns.campaign_list, name="campaigns"),
    path("campaigns/<int:pk>/", views_campaigns.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/csv/", views_campaigns.campaign_csv, name="campaign_csv"),
    path("service/<slug:slug>/history/", views_history.service_history, name="service_history"),
    path("<str:code>/", views.review_detail, name="detail"),
    path("<str:code>/section/<slug:key>/", views.section_edit, name="section"),
    path("<str:code>/answers/<int:pk>/", views.answer_save, name="answer_save"),
    path("<str:code>/answers/<int:pk>/comment/", views.answer_comment, name="answer_comment"),
    path("<str:code>/answers/<int:pk>/evidence/", views.answer_evidence, name="answer_evidence"),
    path("<str:code>/answers/<int:pk>/action/", views.answer_action, name="answer_action"),
    path("<str:code>/answers/<int:pk>/accept-risk/", views.answer_accept_risk,
         name="answer_accept_risk"),
    path("<str:code>/answers/<int:pk>/confirm/", views.answer_confirm, name="answer_confirm"),
    path("<str:code>/answers/<int:pk>/flag/", views.answer_flag, name="answer_flag"),
    path("<str:code>/answers/<int:pk>/keep-risk/", views.answer_keep_risk,
         name="answer_keep_risk"),
    path("<str:code>/section/<slug:key>/confirm/", views.section_confirm,
         name="section_confirm"),
    path("<str:code>/reviewers/", views.review_assign, name="assign"),
    path("<str:code>/submit/", views.review_submit, name="submit"),
    path("<str:code>/decide/", views.review_decide, name="decide"),
    path("<str:code>/milestones/", views.milestone_create, name="milestone_create"),
    path("<str:code>/milestones/diff/", views.milestone_diff, name="milestone_diff"),
    path("<str:code>/upgrade/", views.review_upgrade, name="upgrade"),
    path("<str:code>/history/", views.review_history, name="history"),
]
