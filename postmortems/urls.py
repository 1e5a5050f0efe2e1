from django.urls import path

from postmortems import attachments, views, views_lint

app_name = "postmortems"
urlpatterns = [
    path("", views.postmortem_list, name="list"),
    path("new/", views.postmortem_create, name="create"),
    path("wording-check/", views_lint.lint_text, name="lint"),
    path("<str:code>/", views.postmortem_detail, name="detail"),
    path("<str:code>/edit/", views.postmortem_edit, name="edit"),
    path("<str:code>/history/", views.postmortem_history, name="history"),
    path("<str:code>/answers/<int:pk>/", views.answer_save, name="answer_save"),
    path("<str:code>/timeline/", views.timeline_add, name="timeline_add"),
    path("<str:code>/timeline/<int:pk>/delete/", views.timeline_delete, name="timeline_delete"),
    path("<str:code>/factors/", views.factor_add, name="factor_add"),
    path("<str:code>/factors/<int:pk>/why/", views.factor_add, name="factor_why"),
    path("<str:code>/factors/<int:pk>/delete/", views.factor_delete, name="factor_delete"),
    path("<str:code>/factors/<int:pk>/accept/", views.factor_accept, name="factor_accept"),
    path("<str:code>/factors/<int:pk>/not-blame/", views.factor_not_blame,
         name="factor_not_blame"),
    path("<str:code>/lessons/", views.lesson_add, name="lesson_add"),
    path("<str:code>/lessons/<int:pk>/delete/", views.lesson_delete, name="lesson_delete"),
    path("<str:code>/lessons/<int:pk>/link/", views.lesson_link, name="lesson_link"),
    path("<str:code>/actions/new/", views.action_new, name="action_new"),
    path("<str:code>/attachments/", attachments.upload, name="attachment_upload"),
    path("<str:code>/attachments/<int:pk>/", attachments.download, name="attachment"),
    path("<str:code>/attachments/<int:pk>/delete/", attachments.delete, name="attachment_delete"),
    path("<str:code>/submit/", views.postmortem_submit, name="submit"),
    path("<str:code>/decide/", views.postmortem_decide, name="decide"),
]
