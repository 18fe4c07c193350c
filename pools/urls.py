from django.urls import path

from pools import views

app_name = "pools"

urlpatterns = [
    path("policy/", views.policy, name="policy"),
    path("policy/<int:team_pk>/", views.policy, name="policy_of"),
    path("allocation/", views.allocation, name="allocation"),
]
