"""API tokens: made, checked and revoked here.

A token reads crm_<prefix>_<secret>. The prefix finds the row; the secret's SHA-256 is compared in constant time.
A plain hash suffices for 256 random bits (nobody guesses them); a slow password hash would only slow each request.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import ApiToken
from core.errors import DomainError
from core.models import Role, User

MOST_TOKENS = 20
# Writing the last use at most once a minute keeps a busy integration from writing the row on every request.
LAST_USED_PRECISION = timedelta(minutes=1)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """Make a token for `actor`; return it and its text, which is shown this once and never stored."""
    name = " ".join((name or "").split())[:100]
    if not name:
        raise DomainError(_("Name the token after what will use it."))
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=actor.pk).first()
        if ApiToken.objects.filter(user=actor, revoked_at__isnull=True).count() >= MOST_TOKENS:
            raise DomainError(_("You have %(count)s active tokens; revoke one first.") % {"count": MOST_TOKENS})
        prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
        token = ApiToken.objects.create(user=actor, name=name, prefix=prefix, digest=_digest(secret))
    return token, f"crm_{prefix}_{secret}"


def revoke_token(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke a token: its owner may, and an admin may revoke anyone's."""
    if token.user_id != actor.pk and actor.role != Role.ADMIN:
        raise DomainError(_("Only the token's owner or an admin can revoke it."))
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    return token


def token_for(text: str) -> ApiToken | None:
    """Return the active token `text` is, with its user, or None."""
    parts = (text or "").split("_", 2)
    if len(parts) != 3 or parts[0] != "crm" or not parts[1] or not parts[2]:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1], revoked_at__isnull=True).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(parts[2])):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
