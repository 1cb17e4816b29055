"""The project's own settings, for the benchmark: only the collected static files live elsewhere.

``make serve`` collects static files into ``staticfiles/``; the benchmark collects them into its
work directory instead (``BENCH_STATIC_ROOT``), so that it can put its same-size static HTML file
there without touching the project's tree. Everything else (middleware, whitenoise, caches,
DEBUG from the environment) is ``config.settings`` unchanged.
"""

import os
from pathlib import Path

from config.settings import *  # noqa: F403

STATIC_ROOT = Path(os.environ.get("BENCH_STATIC_ROOT", "/tmp/encyclopedia-bench/static"))
