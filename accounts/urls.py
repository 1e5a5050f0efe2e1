from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("oidc/authenticate/", views.oidc_authenticate, name="oidc_authenticate"),
    path("oidc/callback/", views.oidc_callback, name="oidc_callback"),
    path("signed-out/", views.signed_out, name="signed_out"),
    path("invite/", views.invite, name="invite"),
    path("invite/<int:pk>/resend", views.invite_resend, name="invite_resend"),
    path("invite/<int:pk>/cancel", views.invite_cancel, name="invite_cancel"),
    path("welcome/<str:token>/", views.accept, name="accept"),
]

# Un-namespaced, in front of django.contrib.auth.urls: the names the whole site uses.
auth_urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
]
