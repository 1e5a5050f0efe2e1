from django.urls import path

from orr import api

app_name = "api"
urlpatterns = [
    path("services/<slug:slug>/readiness/", api.service_readiness, name="readiness"),
    path("openapi.json", api.openapi, name="openapi"),
]
