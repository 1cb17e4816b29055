"""Settings shared by the benchmark's steps: where things go, and the environment they run in."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKDIR = Path(os.environ.get("BENCH_WORKDIR", "/tmp/encyclopedia-bench"))
OUT = ROOT / "bench" / "out"
PG_DB = "bench_encyclopedia"
PG_HOST = "127.0.0.1"
PG_PORT = 5432
PG_ADMIN_DSN = f"host={PG_HOST} port={PG_PORT} user=postgres dbname=postgres"
BENCH_PASSWORD = "bench-only-password-2026"
PORT = int(os.environ.get("BENCH_PORT", "8041"))  # 8040-8049 only
DEFAULT_ARTICLES = 10_000
# The article pages the cached load and measure runs rotate through, and those the uncached ones
# read. An article page keeps about seven entries in the cache (its state, publication, body, linked
# titles, "links here", citations and, for readers, the page): 100 pages fit in the local-memory
# cache's 1,000 entries.
HOT_ARTICLES = 50
SAMPLE_ARTICLES = 100

if not 8040 <= PORT <= 8049:
    sys.exit("BENCH_PORT must be between 8040 and 8049.")


def default_articles() -> int:
    return int(os.environ.get("BENCH_ARTICLES", DEFAULT_ARTICLES))


def sqlite_path() -> Path:
    return WORKDIR / "bench.sqlite3"


def database_url(db: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{sqlite_path()}"
    return f"postgres://postgres@{PG_HOST}:{PG_PORT}/{PG_DB}"


def bench_env(db: str) -> dict[str, str]:
    """The environment of `make serve` in production: DEBUG off, a secret key, allowed hosts."""
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-secret-key-not-for-production-" + "x" * 20,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DATABASE_URL": database_url(db),
        "BENCH_STATIC_ROOT": str(WORKDIR / "static"),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        # Production sits behind a TLS-terminating proxy; the load generator and the test client
        # send X-Forwarded-Proto: https (or a secure request), so SECURE_SSL_REDIRECT stays on.
        "SECURE_PROXY_SSL_HEADER": "1",
        "PYTHONPATH": str(ROOT),
    }


def setup_env(db: str) -> None:
    os.environ.update(bench_env(db))
    os.environ.pop("REDIS_URL", None)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)


def out_dir(db: str) -> Path:
    path = OUT / db
    path.mkdir(parents=True, exist_ok=True)
    return path


# ------------------------------------------------------------------ the machine, for the reports


def cpu_model(unknown: str) -> str:
    try:
        return next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        return platform.processor() or unknown


def memory_total(unknown: str) -> str:
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    except (OSError, AttributeError):
        return unknown
    return f"{kb / 1024 / 1024:.1f} GiB"


def package_version(package: str, unknown: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return unknown


def postgres_version(dsn: str = PG_ADMIN_DSN) -> str:
    try:
        import psycopg

        with psycopg.connect(dsn, connect_timeout=3) as conn:
            return conn.execute("SHOW server_version").fetchone()[0]
    except Exception:  # noqa: BLE001 - only for the reports: the version stays unknown
        return "?"
