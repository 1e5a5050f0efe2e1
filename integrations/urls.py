from django.urls import path

from integrations import intake, views

app_name = "integrations"

urlpatterns = [
    path("", views.index, name="index"),
    path("hooks/<str:public_id>/", intake.receive, name="receive"),
    path("<slug:slug>/", views.team_page, name="team"),
    path("<slug:slug>/integrations/new", views.integration_create, name="integration_create"),
    path("<slug:slug>/integrations/<int:pk>/delete", views.integration_delete,
         name="integration_delete"),
    path("<slug:slug>/integrations/<int:pk>/secret", views.integration_set_secret,
         name="integration_set_secret"),
    path("<slug:slug>/mappings/new", views.mapping_add, name="mapping_add"),
    path("<slug:slug>/mappings/<int:pk>/delete", views.mapping_delete, name="mapping_delete"),
    path("<slug:slug>/subscriptions/new", views.subscription_create, name="subscription_create"),
    path("<slug:slug>/subscriptions/<int:pk>/delete", views.subscription_delete,
         name="subscription_delete"),
    path("<slug:slug>/subscriptions/<int:pk>/resume", views.subscription_resume,
         name="subscription_resume"),
    path("<slug:slug>/deliveries/<int:pk>/redeliver", views.delivery_redeliver,
         name="delivery_redeliver"),
]
