from django.urls import path

from hooks import views

app_name = "hooks"

urlpatterns = [
    path("", views.integrations, name="integrations"),
]
