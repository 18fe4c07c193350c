from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from api import pages as api_pages
from core import views as core_views
from ops import views as ops_views
from reports import views as report_views

urlpatterns = [
    path("", report_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("metrics", ops_views.metrics, name="metrics"),
    path("settings/jobs/", core_views.job_runs, name="job_runs"),
    path("favicon.ico", core_views.favicon),
    path("sw.js", core_views.service_worker, name="service_worker"),
    path("notifications/", core_views.notifications, name="notifications"),
    # Where the team policy page has always been.
    path("pools/policy/", core_views.policy, name="policy"),
    path("pools/policy/<int:team_pk>/", core_views.policy, name="policy_of"),
    # The pool, deal and report pages keep the addresses they had before their apps were separated.
    path("", include("pools.urls")),
    path("", include("deals.urls")),
    path("", include("reports.urls")),
    path("leads/", include("leads.urls")),
    path("visits/", include("visits.urls")),
    path("qc/", include("qc.urls")),
    path("settings/integrations/", include("hooks.urls")),
    path("api/", include("api.urls")),
    path("accounts/tokens/", api_pages.tokens, name="api_tokens"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler500 = "core.views.server_error"
