from django.db.models import BigIntegerField

from core.frame import menu_for
from core.models import Notification
from core.statements import Counting, Slot

# The badge of every page, so compiled once per process as the session and the user are (core.statements).
_UNREAD_COUNT = Counting(
    lambda: Notification.objects.filter(user_id=Slot("user", BigIntegerField()), read_at__isnull=True), by="user_id"
)


def navigation(request):
    """The signed-in user's menu (`{% frame %}` writes it, see core.frame) and their count of unread notifications."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    items, current = menu_for(user.role, request.path)
    return {"navigation": items, "menu_page": current, "unread_notifications": _UNREAD_COUNT.count(user=user.pk)}
