"""/healthz: whether this app server can reach its database and its caches (its own, and the
one every process shares for the generations)."""

from __future__ import annotations

from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from encyclopedia.caching import keys


def _probe(cache) -> str:
    try:
        probe = keys.health_probe()
        cache.set(probe, "ok", 10)
        found = cache.get(probe)
        cache.delete(probe)
    except Exception as error:  # noqa: BLE001 - any failure means unhealthy, and says why
        return f"error: {type(error).__name__}"
    return "ok" if found == "ok" else "error: value not kept"


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
    for name, alias in (("cache", "default"), ("shared_cache", "shared")):
        checks[name] = _probe(caches[alias])
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)
