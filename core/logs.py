"""Log lines an operator can follow: each carries the request id (nginx's X-Request-ID, or one made here) and the
signed-in user's id; with LOG_FORMAT=json each is one JSON object per line, for a log collector."""

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

current_request = ContextVar("current_request", default=None)
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def request_id_from(header: str | None) -> str:
    """The id the proxy gave the request, if it looks like one; a new one otherwise."""
    return header if header and REQUEST_ID.fullmatch(header) else uuid.uuid4().hex


class RequestContextFilter(logging.Filter):
    """Add request_id and user_id to every record logged while a request is served (empty outside one)."""

    def filter(self, record):
        request = current_request.get()
        record.request_id = getattr(request, "request_id", "") if request is not None else ""
        # Only a user already read for the request: logging must never cost a query.
        user = getattr(request, "_cached_user", None) if request is not None else None
        record.user_id = user.pk if user is not None and user.is_authenticated else None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request and user, and the error if any."""

    EXTRAS = ("method", "path", "status", "duration_ms", "job", "outcome", "count")

    def format(self, record):
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", ""),
            "user_id": getattr(record, "user_id", None),
        }
        line.update({name: getattr(record, name) for name in self.EXTRAS if hasattr(record, name)})
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)
