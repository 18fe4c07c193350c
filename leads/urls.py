from django.urls import path

from leads import views

app_name = "leads"

urlpatterns = [
    path("mine/export/", views.export_mine, name="export_mine"),
    path("new/", views.create, name="create"),
    path("import/", views.import_upload, name="import"),
    path("import/<int:pk>/", views.import_preview, name="import_preview"),
    path("import/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("collisions/", views.collisions, name="collisions"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/convert/", views.convert, name="convert"),
    path("<int:pk>/position/", views.set_position, name="position"),
    path("<int:pk>/unconvert/", views.unconvert, name="unconvert"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
]
