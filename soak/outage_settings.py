"""The outage soak's server settings: config.settings with the collected static files in its own
work directory (``OUTAGE_STATIC_ROOT``), so it never writes into the project's staticfiles/."""

import os
from pathlib import Path

from config.settings import *  # noqa: F403

STATIC_ROOT = Path(os.environ["OUTAGE_STATIC_ROOT"])
