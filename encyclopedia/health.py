"""/healthz: whether this app server can serve pages, and which of the parts it leans on are down.

The database is the one part the site cannot serve without: it down answers 503, and a load
balancer should take the server out. So is the read replica, when there is one
(``DATABASE_REPLICA_URL``): the public pages read from it (``config/routers.py``), so it down
answers 503 too, with ``"replica"`` saying why. A cache down (Redis, or the disk cache) costs speed, not
pages: the answer is 200 with ``"status": "degraded"`` and ``"cache": "down"``, and the server
should stay in (README.md, "When a part is down"). The answer also counts the work waiting for
a part that was down: the page paths the CDN has not accepted a purge of yet
(``cdn_purge_paths_pending``, the count ``retry_cdn_purges`` prints; 0 without ``CDN_PURGE_URL``).
"""

from __future__ import annotations

from django.core.cache import caches
from django.db import connection, connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from encyclopedia.caching import cdn, keys


def _probe(cache) -> str:
    """``ok`` or ``down``: the cache itself is asked (a Redis cache otherwise answers a miss)."""
    try:
        if hasattr(cache, "probe"):
            cache.probe()
            return "ok"
        probe = keys.health_probe()
        cache.set(probe, "ok", 10)
        found = cache.get(probe)
        cache.delete(probe)
    except Exception:  # noqa: BLE001 - any failure means the cache is not usable
        return "down"
    return "ok" if found == "ok" else "down"


def _answers(alias: str) -> str:
    """``ok``, or ``error: <its class>`` when database ``alias`` does not answer a query."""
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure means unhealthy, and says why
        return f"error: {type(error).__name__}"
    return "ok"


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, str | int] = {"database": _answers(connection.alias)}
    if checks["database"] == "ok":
        try:
            checks["cdn_purge_paths_pending"] = cdn.paths_pending()
        except Exception as error:  # noqa: BLE001 - any failure means unhealthy, and says why
            checks["database"] = f"error: {type(error).__name__}"
    if "replica" in connections:
        checks["replica"] = _answers("replica")
    for name, alias in (("cache", "default"), ("shared_cache", "shared")):
        checks[name] = _probe(caches[alias])
    if any(checks.get(name, "ok") != "ok" for name in ("database", "replica")):
        status, code = "error", 503
    elif checks["cache"] != "ok" or checks["shared_cache"] != "ok":
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    return JsonResponse({"status": status, **checks}, status=code)
