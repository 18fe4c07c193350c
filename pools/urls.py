from django.urls import path

from pools import views

app_name = "pools"

# The pool pages keep the addresses they had under /leads/.
urlpatterns = [
    path("leads/pool/", views.pool, name="pool"),
    path("leads/mine/", views.mine, name="mine"),
    path("leads/team/", views.team_leads, name="team"),
    path("leads/team/assign/", views.assign, name="assign"),
    path("leads/team/export/", views.export_team, name="export_team"),
    path("leads/<int:pk>/claim/", views.claim, name="claim"),
    path("leads/<int:pk>/keep/", views.keep, name="keep"),
    path("leads/<int:pk>/return/", views.return_to_pool, name="return"),
    path("pools/allocation/", views.allocation, name="allocation"),
]
