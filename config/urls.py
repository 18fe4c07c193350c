from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("notifications/", views.notifications, name="notifications"),
    path("dashboard/", views.dashboard, name="dashboard"),
    # Where the team policy page has always been.
    path("pools/policy/", views.policy, name="policy"),
    path("pools/policy/<int:team_pk>/", views.policy, name="policy_of"),
    path("leads/", include("leads.urls")),
    path("pools/", include("pools.urls")),
    path("visits/", include("visits.urls")),
    path("qc/", include("qc.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
