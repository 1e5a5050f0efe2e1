from django.urls import path

from orr import views_tokens

app_name = "tokens"
urlpatterns = [
    path("", views_tokens.token_list, name="list"),
    path("<int:pk>/revoke/", views_tokens.token_revoke_view, name="revoke"),
]
