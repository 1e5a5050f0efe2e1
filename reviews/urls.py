from django.urls import path

from reviews import views

app_name = "reviews"
urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("trash/", views.trash, name="trash"),
    path("<str:code>/delete/", views.document_delete, name="delete"),
    path("<str:code>/restore/", views.document_restore, name="restore"),
]
