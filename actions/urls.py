from django.urls import path

from actions import views, views_csv

app_name = "actions"
urlpatterns = [
    path("", views.item_list, {"scope": "mine"}, name="mine"),
    path("team/", views.item_list, {"scope": "team"}, name="team"),
    path("all/", views.item_list, {"scope": "all"}, name="all"),
    path("<str:scope>.csv", views_csv.item_list_csv, name="csv"),
    path("<int:pk>/", views.item_detail, name="detail"),
    path("<int:pk>/status/", views.item_status, name="status"),
]
