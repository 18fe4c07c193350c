from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from api import views

router = SimpleRouter()
router.register("leads", views.LeadViewSet, basename="lead")
router.register("pool", views.PoolViewSet, basename="pool")
router.register("visits", views.VisitViewSet, basename="visit")
router.register("contracts", views.ContractViewSet, basename="contract")
router.register("payments", views.PaymentViewSet, basename="payment")

app_name = "api"

urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/pipeline/", views.PipelineView.as_view(), name="pipeline"),
    path("v1/reports/meeting/", views.MeetingView.as_view(), name="meeting"),
    path("v1/reports/compliance/", views.ComplianceView.as_view(), name="compliance"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
