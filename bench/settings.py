"""The project's settings for the benchmark and the soak: static files are collected into the work
directory (``BENCH_STATIC_ROOT``), not the project's tree; ``BENCH_CONN_HEALTH_CHECKS=1`` (the soak's
``--conn-health-checks``) turns on ``CONN_HEALTH_CHECKS``. Everything else is ``config.settings``."""

import os
from pathlib import Path

from config.settings import *  # noqa: F403

STATIC_ROOT = Path(os.environ.get("BENCH_STATIC_ROOT", "/tmp/encyclopedia-bench/static"))
if os.environ.get("BENCH_CONN_HEALTH_CHECKS") == "1":
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
