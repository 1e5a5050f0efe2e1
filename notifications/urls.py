from django.urls import path

from notifications import views

app_name = "notifications"

# Mounted at /actions/notifications/, where the bell has always pointed.
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read/", views.notifications_read, name="read"),
    path("settings/", views.notification_settings, name="settings"),
]
