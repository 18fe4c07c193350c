from django.urls import path

from deals import views

app_name = "deals"

# Under /leads/, where the deal pages have always been.
urlpatterns = [
    path("leads/pipeline/", views.pipeline, name="pipeline"),
    path("leads/customers/", views.customers, name="customers"),
    path("leads/proposals/<int:pk>/file/", views.proposal_file, name="proposal_file"),
    path("leads/<int:pk>/deal/", views.step, name="step"),
]
