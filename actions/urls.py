from django.urls import path

from actions import views, views_csv, views_notifications

app_name = "actions"
urlpatterns = [
    path("", views.item_list, {"scope": "mine"}, name="mine"),
    path("team/", views.item_list, {"scope": "team"}, name="team"),
    path("all/", views.item_list, {"scope": "all"}, name="all"),
    path("notifications/", views_notifications.notification_list, name="notifications"),
    path("notifications/read/", views_notifications.notifications_read, name="notifications_read"),
    path("notifications/settings/", views_notifications.notification_settings,
         name="notification_settings"),
    path("<str:scope>.csv", views_csv.item_list_csv, name="csv"),
    path("<int:pk>/", views.item_detail, name="detail"),
    path("<int:pk>/status/", views.item_status, name="status"),
]
