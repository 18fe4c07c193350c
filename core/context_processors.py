from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import Notification, Role

# Each role's menu; later issues add their pages here.
MANAGER_PAGES = [
    ("reports:dashboard", _("Dashboard")),
    ("reports:meeting", _("Evening meeting")),
    ("reports:compliance", _("Compliance")),
    ("qc:report", _("Integrity report")),
    ("pools:team", _("Team leads")),
    ("deals:pipeline", _("Pipeline")),
    ("pools:allocation", _("Allocation")),
    ("pools:pool", _("Public pool")),
    ("leads:import", _("Import")),
    ("leads:collisions", _("Collisions")),
    ("policy", _("Rules")),
]
NAVIGATION = {
    Role.REP: [
        ("home", _("Today")),
        ("visits:log", _("Log a visit")),
        ("pools:mine", _("My leads")),
        ("pools:pool", _("Public pool")),
        ("visits:plan", _("Plan")),
        ("deals:pipeline", _("Pipeline")),
        ("visits:list", _("My visits")),
        ("leads:create", _("New lead")),
    ],
    Role.MANAGER: [("home", _("My teams")), *MANAGER_PAGES],
    Role.QC: [
        ("qc:queue", _("Audit queue")),
        ("qc:draws", _("Draws")),
        ("qc:report", _("Integrity report")),
        ("qc:incidents", _("Incidents")),
    ],
    Role.ADMIN: [("home", _("Overview")), *MANAGER_PAGES, ("admin:index", _("Administration"))],
}


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    current = request.path
    items = []
    for url_name, label in NAVIGATION.get(user.role, []):
        url = reverse(url_name)
        items.append({"url": url, "label": label, "active": current == url})
    unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
    return {"navigation": items, "unread_notifications": unread}
