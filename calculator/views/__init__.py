"""The views: each picks a template or JSON for what an answer (calculator/answers/)
gives; nothing here computes."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request through django-htmx's middleware (request.htmx), for type hints."""

    htmx: HtmxDetails
