from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    # Where the daily reports have always been.
    path("visits/meeting/", views.meeting, name="meeting"),
    path("visits/compliance/", views.compliance, name="compliance"),
]
