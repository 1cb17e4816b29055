"""The soak's server settings with ``CONN_HEALTH_CHECKS`` on: only for ``--conn-health-checks``.

This is the change proposed for config/settings.py (which the soak does not edit), so the
``idle-drop`` check can show what it does: bench.settings (config.settings, static files moved)
with Django checking a persistent connection before reusing it in a new request.
"""

from bench.settings import *  # noqa: F403

DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
