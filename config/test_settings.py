"""Settings for the test suite: the production settings with a throwaway secret key."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")

from config.settings import *  # noqa: E402,F403

SECURE_SSL_REDIRECT = False  # the test client and the browser tests' live server speak plain HTTP
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0

AXES_VERBOSE = False

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Static files straight from the apps; the suite does not run collectstatic.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True

# The suite runs in one process: the generations in memory, so that runs side by side (and the
# browser tests' server) never share them. tests/test_multiprocess.py serves the real settings.
if not REDIS_URL:
    CACHES["shared"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "shared"}
WHITENOISE_USE_FINDERS = True
