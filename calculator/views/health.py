"""/healthz: is this app server able to answer, database included?

For load balancers and uptime probes. It asks the database for ``SELECT 1`` and
answers 200 {"status": "ok"}, or 503 {"status": "unavailable"} when the database
doesn't answer. Never cached, and exempt from the HTTPS redirect (settings) so a
probe on the private network can use plain HTTP.
"""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@login_not_required  # probes don't sign in, whatever CALCULATOR_ACCESS says
@require_safe  # GET or HEAD: some probes only ask for the status line
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database did not answer")
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
