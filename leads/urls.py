from django.urls import path

from leads import views

app_name = "leads"

urlpatterns = [
    path("pool/", views.pool, name="pool"),
    path("mine/", views.mine, name="mine"),
    path("mine/export/", views.export_mine, name="export_mine"),
    path("new/", views.create, name="create"),
    path("team/", views.team_leads, name="team"),
    path("team/assign/", views.assign, name="assign"),
    path("team/export/", views.export_team, name="export_team"),
    path("import/", views.import_upload, name="import"),
    path("import/<int:pk>/", views.import_preview, name="import_preview"),
    path("collisions/", views.collisions, name="collisions"),
    path("pipeline/", views.pipeline, name="pipeline"),
    path("customers/", views.customers, name="customers"),
    path("proposals/<int:pk>/file/", views.proposal_file, name="proposal_file"),
    path("<int:pk>/deal/", views.deal, name="deal"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/claim/", views.claim, name="claim"),
    path("<int:pk>/keep/", views.keep, name="keep"),
    path("<int:pk>/return/", views.return_to_pool, name="return"),
    path("<int:pk>/convert/", views.convert, name="convert"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
]
