"""The views: each picks a template or JSON for what an answer (calculator/answers/)
gives; nothing here computes."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from calculator.limits import MAX_LOG_BYTES, MAX_PLAN_BODY_BYTES


class HtmxHttpRequest(HttpRequest):
    """A request through django-htmx's middleware (request.htmx), for type hints."""

    htmx: HtmxDetails


def log_body_refusal(request: HttpRequest) -> str | None:
    """Why a plan POSTed with a request log is refused unread (its body over
    MAX_PLAN_BODY_BYTES), or None: /api/plan and the /plan/ page's upload alike."""
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_PLAN_BODY_BYTES:
        return (
            f"The request is over {MAX_PLAN_BODY_BYTES:,} bytes: a log of at most "
            f"{MAX_LOG_BYTES:,} bytes and the parameters."
        )
    return None
