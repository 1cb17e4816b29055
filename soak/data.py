"""The soak's database: created fresh, filled by the benchmark's generator, dropped at the end.

The data set is bench/generate.py's (live articles imported through the product's importer),
generated into the soak's own database ``soak_encyclopedia``; nothing here changes how it is made.
"""

from __future__ import annotations

import os
import random
import re
import sys
import time
from typing import Any

from soak import config

MARKER = re.compile(config.MARKER_PATTERN)


def log(message: str) -> None:
    print(f"[soak {time.strftime('%H:%M:%S', time.gmtime())}Z] {message}", file=sys.stderr, flush=True)


def admin_execute(*statements: str) -> None:
    """Run statements on the server's maintenance database (CREATE/DROP DATABASE need autocommit)."""
    import psycopg

    with psycopg.connect(config.PG_ADMIN_DSN, autocommit=True, connect_timeout=10) as conn:
        for statement in statements:
            conn.execute(statement)


def create_database() -> None:
    admin_execute(f"DROP DATABASE IF EXISTS {config.PG_DB} WITH (FORCE)", f"CREATE DATABASE {config.PG_DB}")


def drop_database() -> None:
    admin_execute(f"DROP DATABASE IF EXISTS {config.PG_DB} WITH (FORCE)")


def flush_redis() -> None:
    """Empty the soak's own Redis db (not the others'): page cache and generation counters start afresh."""
    import redis

    client = redis.Redis.from_url(config.REDIS_URL, socket_timeout=5)
    try:
        client.flushdb()
    finally:
        client.close()


def setup_django(plan: config.Plan) -> None:
    """Configure this process as the server is configured: same settings, database and Redis."""
    for name in config.DROPPED_VARIABLES:
        os.environ.pop(name, None)
    os.environ.update(config.soak_env(plan))
    if str(config.ROOT) not in sys.path:
        sys.path.insert(0, str(config.ROOT))
    os.chdir(config.ROOT)
    import django

    django.setup()


def generate(articles: int) -> dict[str, float]:
    """The benchmark's data set (bench/generate.py: collectstatic and migrate first, as `make serve`
    does, the demo site data, then the articles through the importer), in seconds per step."""
    from bench.generate import populate

    started = time.perf_counter()
    timings = {key: round(value, 1) for key, value in populate(articles).items()}
    return {**timings, "total_s": round(time.perf_counter() - started, 1)}


def pick_hot(ids: list[str], count: int) -> list[str]:
    """The articles the approver updates: a fixed sample, so runs are comparable."""
    return sorted(random.Random(17).sample(ids, min(count, len(ids))))


def marker_of_text(text: str) -> int | None:
    found = MARKER.search(text)
    return int(found.group(1)) if found else None


def marker_of_publication(publication: Any) -> tuple[int | None, bool]:
    """(marker, consistent): the publication's marker, and whether its summary and sections agree."""
    if publication is None:
        return None, True
    parts = [publication.summary_html, *(section["html"] for section in publication.sections)]
    markers = [marker_of_text(part) for part in parts]
    return markers[0], len(set(markers)) == 1


def user(username: str) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def close_connections() -> None:
    from django.db import connections

    connections.close_all()
