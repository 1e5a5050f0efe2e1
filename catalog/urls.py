from django.urls import path

from catalog import views, views_import, views_org

app_name = "catalog"
urlpatterns = [
    path("services/", views.service_list, name="services"),
    path("services/<slug:slug>/", views.service_detail, name="service"),
    path("teams/<slug:slug>/", views.team_detail, name="team"),
    # The organisation: read by everyone, changed by ops leads and admins.
    path("org/", views_org.org_home, name="org"),
    path("org/start/", views_org.org_start, name="org_start"),
    path("org/audit/", views_org.audit, name="audit"),
    path("org/teams/new/", views_org.team_create, name="team_create"),
    path("org/teams/<slug:slug>/edit/", views_org.team_edit, name="team_edit"),
    path("org/teams/<slug:slug>/members/", views_org.member_set, name="member_set"),
    path("org/teams/<slug:slug>/members/<str:username>/remove/", views_org.member_remove,
         name="member_remove"),
    path("org/services/new/", views_org.service_create, name="service_create"),
    path("org/services/retired/", views_org.retired_services, name="retired_services"),
    path("org/services/<slug:slug>/edit/", views_org.service_edit, name="service_edit"),
    path("org/services/<slug:slug>/retire/", views_org.service_retire, name="service_retire"),
    path("org/services/<slug:slug>/restore/", views_org.service_restore, name="service_restore"),
    path("org/people/", views_org.people, name="people"),
    path("org/people/<str:username>/", views_org.person_detail, name="person"),
    path("org/people/<str:username>/teams/", views_org.person_team, name="person_team"),
    path("org/people/<str:username>/ops-lead/", views_org.person_ops_lead,
         name="person_ops_lead"),
    path("org/people/<str:username>/deactivate/", views_org.person_deactivate,
         name="person_deactivate"),
    path("org/people/<str:username>/reactivate/", views_org.person_reactivate,
         name="person_reactivate"),
    path("org/people/<str:username>/reassign/", views_org.person_reassign,
         name="person_reassign"),
    path("setup/", views_org.first_admin, name="setup"),
    path("org/import/", views_import.catalog_import, name="import"),
    path("org/import/apply/", views_import.catalog_import_apply, name="import_apply"),
]
