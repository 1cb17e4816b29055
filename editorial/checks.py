"""System checks of the editorial side (``manage.py check --deploy``)."""

from __future__ import annotations

from django.core import checks
from django.db import DatabaseError


@checks.register(checks.Tags.security, deploy=True)
def no_demo_login_keeps_its_published_password(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """``make run`` (DEBUG on) makes demo logins whose passwords load_demo prints: a database it
    touched and then served with ``make serve`` lets anyone sign in as an editor, a reviewer or a
    superuser."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import check_password

    from editorial.management.commands.load_demo import DEMO_LOGINS

    if not kwargs.get("databases"):  # as Django's own checks that read a database: --database default
        return []
    passwords = {login.username: login.password for login in DEMO_LOGINS}
    try:
        users = list(get_user_model().objects.filter(username__in=passwords, is_active=True))
    except DatabaseError:  # not migrated yet: no login at all
        return []
    # The hasher's function, not the user's method: that one saves a password it hashes again.
    known = sorted(user.username for user in users if check_password(passwords[user.username], user.password))
    if not known:
        return []
    return [
        checks.Warning(
            f"Demo logins still have the passwords load_demo prints (and its source holds): {', '.join(known)}.",
            hint="Delete them, or set new passwords (manage.py changepassword USERNAME), before the "
            "site is public.",
            id="editorial.W001",
        )
    ]
