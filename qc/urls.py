from django.urls import path

from qc import views

app_name = "qc"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("samples/<int:pk>/", views.audit, name="audit"),
    path("draws/", views.draws, name="draws"),
    path("report/", views.report, name="report"),
    path("incidents/", views.incidents, name="incidents"),
    path("coverage/", views.coverage, name="coverage"),
]
