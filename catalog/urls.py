from django.urls import path

from catalog import views

app_name = "catalog"
urlpatterns = [
    path("services/", views.service_list, name="services"),
    path("services/<slug:slug>/", views.service_detail, name="service"),
    path("teams/<slug:slug>/", views.team_detail, name="team"),
]
