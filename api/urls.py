from django.urls import path, re_path
from drf_spectacular.views import SpectacularJSONAPIView

from api import views
from api.errors import not_found

app_name = "api"
urlpatterns = [
    path("teams/", views.TeamList.as_view(), name="teams"),
    path("teams/<slug:slug>/", views.TeamDetail.as_view(), name="team"),
    path("services/", views.ServiceList.as_view(), name="services"),
    path("services/<slug:slug>/", views.ServiceDetail.as_view(), name="service"),
    path("services/<slug:slug>/readiness/", views.ServiceReadiness.as_view(), name="readiness"),
    path("orrs/", views.OrrList.as_view(), name="orrs"),
    path("orrs/<str:code>/", views.OrrDetail.as_view(), name="orr"),
    path("orrs/<str:code>/readiness/", views.OrrReadiness.as_view(), name="orr_readiness"),
    path("coes/", views.CoeList.as_view(), name="coes"),
    path("coes/<str:code>/", views.CoeDetail.as_view(), name="coe"),
    path("action-items/", views.ActionItemList.as_view(), name="action_items"),
    path("action-items/<int:pk>/", views.ActionItemDetail.as_view(), name="action_item"),
    path("action-items/<int:pk>/status/", views.ActionItemStatus.as_view(),
         name="action_item_status"),
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    re_path(r"^", not_found),
]
