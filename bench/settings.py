"""The project's own settings, for the benchmark and the soak: the collected static files live elsewhere.

``make serve`` collects static files into ``staticfiles/``; the benchmark collects them into its work
directory instead (``BENCH_STATIC_ROOT``), where it also puts its same-size static HTML file, without
touching the project's tree. ``BENCH_CONN_HEALTH_CHECKS=1`` (the soak's ``--conn-health-checks``) turns
on ``CONN_HEALTH_CHECKS`` whatever config/settings.py says. Everything else is ``config.settings`` unchanged.
"""

import os
from pathlib import Path

from config.settings import *  # noqa: F403

STATIC_ROOT = Path(os.environ.get("BENCH_STATIC_ROOT", "/tmp/encyclopedia-bench/static"))
if os.environ.get("BENCH_CONN_HEALTH_CHECKS") == "1":
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
