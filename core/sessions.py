"""Django's database sessions, with the read every request makes compiled once (see core.statements)."""

from django.contrib.sessions.backends import db
from django.db.models import CharField, DateTimeField
from django.utils import timezone

from core.statements import Slot, Statement

_LIVE_SESSION = Statement(
    lambda: db.SessionStore.get_model_class().objects.filter(
        session_key=Slot("key", CharField()), expire_date__gt=Slot("now", DateTimeField())
    )
)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        found = _LIVE_SESSION.first(key=self.session_key, now=timezone.now())
        if found is None:  # expired or unknown: a new session, as Django's store does
            self._session_key = None
        return found
