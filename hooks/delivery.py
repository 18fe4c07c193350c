"""Sending the outbox: signed webhook posts and group-chat bot messages, retried with backoff.

A webhook post carries `X-CRM-Timestamp` and `X-CRM-Signature: sha256=<hex>`, the HMAC-SHA256 of
"<timestamp>.<body>" under the subscription's secret; the receiver recomputes it and rejects old timestamps.
Group chats get each platform's own message format: WeCom and DingTalk markdown, a Lark card with a markdown element.
"""

import base64
import hashlib
import hmac
import ipaddress
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Membership, Notification, Role
from core.notifications import notify
from hooks.models import ChatPlatform, Delivery, DeliveryStatus, GroupChat, Subscription

TIMEOUT_SECONDS = 5
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=6)
# A message is given up after this many attempts (about a day and a half with the waits doubling up to six hours).
MOST_ATTEMPTS = 12
# A subscription whose attempts fail this many times in a row is paused, and its team's managers are told.
PAUSE_AFTER_FAILURES = 10
USER_AGENT = "field-sales-crm-webhooks/1"


class SendFailed(Exception):
    def __init__(self, message: str, status_code: int | None = None):
        super().__init__(message)
        self.status_code = status_code


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The value of X-CRM-Signature for a body sent at `timestamp`."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's 加签: HMAC-SHA256 of "<timestamp in ms>\\n<secret>" under the secret, in base64."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def lark_sign(secret: str, timestamp: int) -> str:
    """Lark's 签名校验: HMAC-SHA256 of nothing under the key "<timestamp in s>\\n<secret>", in base64."""
    digest = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def chat_request(chat: GroupChat, title: str, text: str, now: float | None = None) -> tuple[str, dict]:
    """Return the address and JSON body of a message to `chat` in its platform's format."""
    now = time.time() if now is None else now
    if chat.platform == ChatPlatform.WECOM:
        return chat.url, {"msgtype": "markdown", "markdown": {"content": f"**{title}**\n{text}"}}
    if chat.platform == ChatPlatform.DINGTALK:
        url = chat.url
        if chat.secret:
            stamp = int(now * 1000)
            query = urllib.parse.urlencode({"timestamp": stamp, "sign": dingtalk_sign(chat.secret, stamp)})
            url = f"{url}{'&' if '?' in url else '?'}{query}"
        return url, {"msgtype": "markdown", "markdown": {"title": title, "text": f"### {title}\n\n{text}"}}
    body = {
        "msg_type": "interactive",
        "card": {
            "header": {"title": {"tag": "plain_text", "content": title}},
            "elements": [{"tag": "markdown", "content": text}],
        },
    }
    if chat.secret:
        stamp = int(now)
        body.update({"timestamp": str(stamp), "sign": lark_sign(chat.secret, stamp)})
    return chat.url, body


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A receiver answering with a redirect is an answer, not an invitation to post elsewhere (an internal address).
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def check_address(url: str) -> None:
    """Refuse an address on this machine or the private network, unless the settings allow it (tests, intranets)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SendFailed(_("Only http and https addresses can receive messages."))
    if settings.HOOKS_ALLOW_PRIVATE_ADDRESSES:
        return
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except OSError:
        raise SendFailed(_("The address %(host)s cannot be found.") % {"host": parts.hostname}) from None
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global:
            raise SendFailed(_("%(host)s is a private or local address.") % {"host": parts.hostname})


def _post(url: str, body: bytes, headers: dict) -> tuple[int, bytes]:
    check_address(url)
    request = urllib.request.Request(url, data=body, method="POST", headers={"User-Agent": USER_AGENT, **headers})
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, response.read(4096)
    except urllib.error.HTTPError as error:
        raise SendFailed(_("The receiver answered %(code)s.") % {"code": error.code}, error.code) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise SendFailed(_("No answer: %(reason)s") % {"reason": reason}) from None


def _send_webhook(delivery: Delivery, subscription: Subscription) -> int:
    body = json.dumps({"delivery": delivery.pk, **delivery.payload}, ensure_ascii=False).encode()
    stamp = str(int(time.time()))
    status, _answer = _post(
        subscription.url,
        body,
        {
            "Content-Type": "application/json; charset=utf-8",
            "X-CRM-Event": delivery.event,
            "X-CRM-Delivery": str(delivery.pk),
            "X-CRM-Timestamp": stamp,
            "X-CRM-Signature": signature(subscription.secret, stamp, body),
        },
    )
    return status


def _send_chat(delivery: Delivery, chat: GroupChat) -> int:
    url, body = chat_request(chat, delivery.payload["title"], delivery.payload["text"])
    status, answer = _post(url, json.dumps(body, ensure_ascii=False).encode(), {"Content-Type": "application/json"})
    # The platforms answer 200 with an error code in the body (a wrong signature, a bot removed from the group).
    try:
        reply = json.loads(answer or b"{}")
    except ValueError:
        reply = {}
    code = reply.get("errcode", reply.get("code", reply.get("StatusCode", 0))) if isinstance(reply, dict) else 0
    if code not in (0, None):
        message = reply.get("errmsg") or reply.get("msg") or reply.get("StatusMessage") or ""
        raise SendFailed(
            _("The platform refused the message: %(code)s %(message)s") % {"code": code, "message": message}, status
        )
    return status


def wait_after(attempts: int) -> timedelta:
    """How long to wait before the next attempt after `attempts` failed ones: 30 s, 1 min, 2 min … at most 6 h."""
    return min(FIRST_RETRY * (2 ** (attempts - 1)), LONGEST_WAIT)


def _due(now: datetime):
    return Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now).filter(
        Q(subscription__isnull=True) | Q(subscription__paused_at__isnull=True)
    )


def deliver_one(delivery_id: int | None = None, *, now: datetime | None = None) -> Delivery | None:
    """Send one due message (the given one, or the oldest due); return it, or None when nothing is due.

    The row is locked while it is sent (SKIP LOCKED), so two workers never send the same message twice.
    """
    now = now or timezone.now()
    with transaction.atomic():
        due = _due(now)
        if delivery_id is not None:
            due = due.filter(pk=delivery_id)
        delivery = (
            due.select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription", "chat")
            .order_by("next_attempt_at", "pk")
            .first()
        )
        if delivery is None:
            return None
        delivery.attempts += 1
        try:
            if delivery.chat_id:
                status = _send_chat(delivery, delivery.chat)
            else:
                status = _send_webhook(delivery, delivery.subscription)
        except SendFailed as failure:
            _failed(delivery, failure, now)
        else:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = timezone.now()
            delivery.last_status_code = status
            delivery.last_error = ""
            if delivery.subscription_id:
                Subscription.objects.filter(pk=delivery.subscription_id).update(failures_in_row=0)
        delivery.save(
            update_fields=["attempts", "status", "delivered_at", "last_status_code", "last_error", "next_attempt_at"]
        )
    return delivery


def _failed(delivery: Delivery, failure: SendFailed, now: datetime) -> None:
    delivery.last_status_code = failure.status_code
    delivery.last_error = str(failure)[:255]
    if delivery.attempts >= MOST_ATTEMPTS:
        delivery.status = DeliveryStatus.GIVEN_UP
    else:
        delivery.next_attempt_at = now + wait_after(delivery.attempts)
    if delivery.subscription_id:
        subscription = Subscription.objects.select_for_update().get(pk=delivery.subscription_id)
        subscription.failures_in_row += 1
        subscription.save(update_fields=["failures_in_row"])
        if subscription.failures_in_row >= PAUSE_AFTER_FAILURES and subscription.paused_at is None:
            _pause(subscription, now)


def _pause(subscription: Subscription, now: datetime) -> None:
    subscription.paused_at = now
    subscription.save(update_fields=["paused_at"])
    managers = Membership.objects.filter(
        team_id=subscription.team_id, role=Role.MANAGER, user__is_active=True
    ).values_list("user_id", flat=True)
    params = {"url": subscription.url, "count": subscription.failures_in_row}
    notify(
        [
            Notification(user_id=user_id, kind=Notification.Kind.HOOK_PAUSED, params=params, created_at=now)
            for user_id in managers
        ]
    )


def deliver_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Send up to `limit` due messages, oldest first; return how many were attempted."""
    sent = 0
    while sent < limit and deliver_one(now=now) is not None:
        sent += 1
    return sent
