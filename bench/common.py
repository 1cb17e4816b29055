"""What the benchmark's steps (and the soak) share: where things go, the environment they run in, its
database, and the timing statistics."""

from __future__ import annotations

import contextlib
import importlib.metadata
import math
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKDIR = Path(os.environ.get("BENCH_WORKDIR", "/tmp/encyclopedia-bench"))
OUT = Path(os.environ.get("BENCH_OUT", ROOT / "bench" / "out"))
PG_DB = os.environ.get("BENCH_PG_DB", "bench_encyclopedia")
PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_ADMIN_DSN = f"host={PG_HOST} port={PG_PORT} user=postgres dbname=postgres"
BENCH_PASSWORD = "bench-only-password-2026"
PORT = int(os.environ.get("BENCH_PORT", "8041"))  # 8040-8049 only
REDIS_PORT = int(os.environ.get("BENCH_REDIS_PORT", "6390"))  # the production setup's own Redis
QUIET_S = float(os.environ.get("BENCH_QUIET_S", "90"))  # the longest wait for a quiet machine
DEFAULT_ARTICLES = 10_000
# The article pages the cached load and measure runs rotate through, and those the uncached ones
# read: the 50 hot pages fit in the local-memory cache's 300 entries; the others are stored pages.
HOT_ARTICLES, SAMPLE_ARTICLES = 50, 100
SESSION_COOKIE = "sessionid=bench-not-a-session"  # skips the shared page cache
PACKAGES = ("django", "django-reversion", "gunicorn", "whitenoise", "psycopg", "py-spy", "pyinstrument")

if not 8040 <= PORT <= 8049:
    sys.exit("BENCH_PORT must be between 8040 and 8049.")


def log(step: str, message: str) -> None:
    print(f"  [{step}] {message}", file=sys.stderr, flush=True)


def sqlite_path() -> Path:
    return WORKDIR / "bench.sqlite3"


def database_url(db: str) -> str:
    return (
        f"sqlite:///{sqlite_path()}" if db == "sqlite" else f"postgres://postgres@{PG_HOST}:{PG_PORT}/{PG_DB}"
    )


def bench_env(db: str) -> dict[str, str]:
    """The environment of `make serve` in production: DEBUG off, a secret key, allowed hosts."""
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-secret-key-not-for-production-" + "x" * 20,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DATABASE_URL": database_url(db),
        "BENCH_STATIC_ROOT": str(WORKDIR / "static"),
        "SHARED_CACHE_DIR": str(WORKDIR / f"shared-cache-{db}"),  # the embedded default's shared store
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        # Production sits behind a TLS-terminating proxy; the load generator and the test client
        # send X-Forwarded-Proto: https (or a secure request), so SECURE_SSL_REDIRECT stays on.
        "SECURE_PROXY_SSL_HEADER": "1",
        "PYTHONPATH": str(ROOT),
    }


def setup_django(db: str, redis_url: str = "") -> None:
    """Configure this process as the benchmark's server is configured (REDIS_URL only if given)."""
    os.environ.update(bench_env(db))
    os.environ.pop("REDIS_URL", None)
    if redis_url:
        os.environ["REDIS_URL"] = redis_url
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    import django

    django.setup()


def live_ids() -> list[str]:
    """The generated live articles' ids, in order (the demo articles, 900000 and up, left out)."""
    from encyclopedia.models import Article

    articles = Article.objects.filter(live_publication__isnull=False, public_id__lt="900000")
    return list(articles.order_by("public_id").values_list("public_id", flat=True))


def out_dir(db: str) -> Path:
    path = OUT / db
    path.mkdir(parents=True, exist_ok=True)
    return path


def drop_database(db: str, *, create: bool = False) -> None:
    """Remove the benchmark's database (and, with ``create``, make an empty one)."""
    if db == "postgresql":
        pg_admin(
            f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)", *([f"CREATE DATABASE {PG_DB}"] if create else [])
        )
        return
    sqlite_path().parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{sqlite_path()}{suffix}").unlink(missing_ok=True)


def pg_admin(*statements: str, params: list | None = None) -> object:
    """Run statements on PostgreSQL's maintenance database (CREATE/DROP DATABASE need autocommit);
    the first value of the last one's first row, if it has one."""
    import psycopg

    with psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=10) as conn:
        for statement in statements:
            cursor = conn.execute(statement, params)
        row = cursor.fetchone() if cursor.description else None
        return row[0] if row else None


def summarize(samples_s: list[float]) -> dict:
    """Milliseconds: median, p95 (nearest rank), mean, min, max, count."""
    ms = sorted(s * 1000 for s in samples_s)
    if not ms:
        return {}
    p95 = ms[max(0, math.ceil(0.95 * len(ms)) - 1)]
    figures = {"median_ms": statistics.median(ms), "p95_ms": p95, "mean_ms": statistics.fmean(ms)}
    return {
        **{k: round(v, 2) for k, v in {**figures, "min_ms": ms[0], "max_ms": ms[-1]}.items()},
        "n": len(ms),
    }


def timed(
    fn: Callable[[], object], repeat: int, warmup: int = 2, before: Callable[[], object] | None = None
) -> list[float]:
    """Seconds per call of ``fn``, ``repeat`` times after ``warmup`` unmeasured calls; ``before``,
    if given, is called (unmeasured) before each."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        if before is not None:
            before()
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


def machine() -> dict[str, str]:
    """The machine and software the figures were taken on, for the reports."""

    def version(package: str) -> str:
        try:
            return importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"

    def proc(name: str, pattern: str) -> str | None:
        found = re.search(pattern, Path(name).read_text(), re.MULTILINE) if Path(name).exists() else None
        return found.group(1).strip() if found else None

    memory = proc("/proc/meminfo", r"MemTotal:\s+(\d+)")
    facts = {
        "cpu": proc("/proc/cpuinfo", r"^model name\s*:\s*(.*)$") or platform.processor(),
        "cores": str(os.cpu_count()),
        "memory": f"{int(memory) / 1024 / 1024:.1f} GiB" if memory else "?",
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": "?",
        "wrk": "not installed",
        **{package: version(package) for package in PACKAGES},
    }
    if shutil.which("wrk"):
        result = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=10)
        facts["wrk"] = ((result.stdout + result.stderr).strip().splitlines() or ["wrk"])[0]
    with contextlib.suppress(Exception):  # only for the reports: the version stays unknown
        facts["postgresql"] = str(pg_admin("SHOW server_version"))
    return facts
