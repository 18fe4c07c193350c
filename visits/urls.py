from django.urls import path

from visits import views

app_name = "visits"

urlpatterns = [
    path("new/", views.log, name="log"),
    path("", views.visit_list, name="list"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/collision/", views.decide_collision, name="decide_collision"),
    path("plan/", views.plan, name="plan"),
    path("note/", views.note, name="note"),
    path("check-in/", views.check_in, name="check_in"),
    path("<int:pk>/photos/", views.add_photo, name="add_photo"),
    path("photos/<int:pk>/", views.photo, name="photo"),
]
