"""The session store every request reads (core.sessions): a live session signs its user in, an expired or unknown
one is a new, empty session."""

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from core.sessions import SessionStore


def test_a_live_session_signs_its_user_in(client, owner):
    client.force_login(owner)
    response = client.get(reverse("notifications"))
    assert response.status_code == 200
    assert response.wsgi_request.user == owner


def test_an_expired_session_is_not_read(client, owner):
    client.force_login(owner)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("notifications"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_unknown_or_expired_key_gives_a_new_empty_session(db):
    kept = SessionStore()
    kept["greeting"] = "你好"
    kept.create()
    assert SessionStore(kept.session_key).load() == {"greeting": "你好"}
    assert SessionStore("x" * 32).load() == {}
    Session.objects.filter(pk=kept.session_key).update(expire_date=timezone.now() - timedelta(minutes=1))
    expired = SessionStore(kept.session_key)
    assert expired.load() == {}
    assert expired.session_key is None  # saving it makes a new session, never revives the expired one


def test_the_site_uses_this_store():
    assert settings.SESSION_ENGINE == "core.sessions"
