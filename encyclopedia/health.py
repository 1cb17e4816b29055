"""/healthz: whether this app server can reach its database and its cache."""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as error:  # noqa: BLE001 - any failure means unhealthy, and says why
        checks["database"] = f"error: {type(error).__name__}"
    try:
        probe = f"healthz:{uuid.uuid4().hex}"
        cache.set(probe, "ok", 10)
        checks["cache"] = "ok" if cache.get(probe) == "ok" else "error: value not kept"
        cache.delete(probe)
    except Exception as error:  # noqa: BLE001
        checks["cache"] = f"error: {type(error).__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)
