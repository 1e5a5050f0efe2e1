from django.contrib import admin
from django.urls import include, path

from accounts import lockouts
from accounts.urls import auth_urlpatterns
from opsreview import views

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("markdown/preview", views.markdown_preview, name="markdown_preview"),
    path("accounts/lockouts/", lockouts.lockout_list, name="lockouts"),
    path("accounts/lockouts/<int:pk>/unlock/", lockouts.lockout_unlock, name="lockout_unlock"),
    # Sign-in (identity provider, local switch) and invitations; then Django's password pages.
    path("accounts/", include(auth_urlpatterns)),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("", include("catalog.urls")),
    path("orr/", include("orr.urls")),
    path("coe/", include("postmortems.urls")),
    path("actions/notifications/", include("notifications.urls")),
    path("actions/", include("actions.urls")),
    path("reports/", include("reports.urls")),
    path("reviews/", include("reviews.urls")),
    path("learning/", include("learning.urls")),
    path("api/v1/", include("api.urls")),
    path("org/tokens/", include("orr.token_urls")),
    path("integrations/", include("integrations.urls")),
]
