"""Production settings and the read-replica router."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time

import pytest
from django.db import connections

from config.routers import PUBLIC_READ_MODELS, ReplicaRouter
from encyclopedia import primary_reads
from encyclopedia.models import Article, IndexEntry, Publication, SearchEntry


def test_public_reads_go_to_the_replica_and_everything_else_to_the_primary(monkeypatch):
    router = ReplicaRouter()
    for model in (Publication, SearchEntry, IndexEntry):
        assert router.db_for_read(model) == "replica"
        assert router.db_for_write(model) == "default"
    assert router.db_for_read(Article) == "default"
    with primary_reads.primary():  # what is kept under the live generation: never a replica's lag
        assert [router.db_for_read(model) for model in (SearchEntry, IndexEntry)] == ["default"] * 2
    assert router.db_for_read(SearchEntry) == "replica"
    monkeypatch.setattr(connections["default"], "in_atomic_block", True)
    assert router.db_for_read(Publication) == "default", "a transaction reads its own writes"
    assert router.allow_migrate("replica", "encyclopedia") is False


def test_production_settings_need_a_secret_key(monkeypatch):
    import importlib
    import sys

    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.delenv("SECRET_KEY", raising=False)
    sys.modules.pop("config.settings", None)
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY is not set"):
        importlib.import_module("config.settings")
    sys.modules.pop("config.settings", None)


@pytest.mark.django_db
def test_public_pages_have_a_strict_content_security_policy(client, make_article, publish_article):
    article = publish_article(make_article("Secured"))
    response = client.get(f"/ency/article/{article.public_id}.htm")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert " style=" not in response.content.decode(), "no inline style for the policy to block"


def check_deploy(**environment: str):
    """``manage.py check --deploy`` under production settings (DEBUG off) and ``environment``, on a
    database of its own (the checks read the logins: the project's db.sqlite3 may hold ``make run``'s)."""
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite:///{tempfile.mkdtemp()}/db.sqlite3",
        "SECRET_KEY": "x" * 60 + "production-like-secret-key-for-the-check",
        "ALLOWED_HOSTS": "encyclopedia.example.org",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        **environment,
    }
    return subprocess.run(  # noqa: S603 - our own manage.py with a fixed argument list
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_manage_check_deploy_is_clean_under_production_settings():
    result = check_deploy(SITE_URL="https://encyclopedia.example.org")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_manage_check_deploy_reports_an_unset_site_url_as_an_error():
    """Without SITE_URL, canonical links and citations take their address from the Host header."""
    result = check_deploy()
    assert result.returncode == 1, result.stdout + result.stderr
    assert "ERRORS:" in result.stderr and "(encyclopedia.E001) SITE_URL is not set" in result.stderr


@pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="needs redis-server to start one that persists"
)
@pytest.mark.parametrize(("persists", "warned"), [(["--save", "3600 1"], True), (["--save", ""], False)])
def test_manage_check_deploy_warns_of_a_cache_redis_that_keeps_its_data(tmp_path, persists, warned):
    """Restored from a snapshot, such a Redis would serve pages cached before the changes since."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", str(tmp_path), *persists]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL)  # noqa: S603 - fixed arguments
    try:
        for _ in range(50):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
            time.sleep(0.1)
        result = check_deploy(
            SITE_URL="https://encyclopedia.example.org", REDIS_URL=f"redis://127.0.0.1:{port}/0"
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert ("(encyclopedia.W002)" in result.stderr) is warned, result.stdout + result.stderr
    assert result.returncode == (1 if warned else 0)
    if warned:
        assert "RDB snapshots" in result.stderr


@pytest.mark.django_db
def test_signing_in_with_an_unsafe_next_lands_on_the_admin_start_page(client):
    """It landed on /accounts/profile/, which is no page here (404)."""
    from django.contrib.auth.models import User

    User.objects.create_user("editor", password="the-right-password", is_staff=True)
    response = client.post(
        "/admin/login/",
        {"username": "editor", "password": "the-right-password", "next": "https://evil.example.com/"},
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.django_db
def test_sign_in_is_throttled_after_five_failures(client):
    from django.contrib.auth.models import User

    User.objects.create_user("editor", password="the-right-password", is_staff=True)
    for _ in range(4):
        response = client.post("/admin/login/", {"username": "editor", "password": "wrong"})
        assert response.status_code == 200
    fifth = client.post("/admin/login/", {"username": "editor", "password": "wrong"})
    assert fifth.status_code == 429
    locked = client.post("/admin/login/", {"username": "editor", "password": "the-right-password"})
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    from django.test import Client

    elsewhere = Client(REMOTE_ADDR="10.0.0.7").post(
        "/admin/login/", {"username": "editor", "password": "the-right-password"}
    )
    assert elsewhere.status_code == 302, "the same person signing in from elsewhere is not locked out"


def _settings_with(monkeypatch, **environ: str):
    import importlib
    import sys

    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    sys.modules.pop("config.settings", None)
    try:
        return importlib.import_module("config.settings")
    finally:
        sys.modules.pop("config.settings", None)


def test_postgresql_plans_a_repeated_query_once_unless_a_pooler_says_not(monkeypatch):
    """On PostgreSQL the server binds the parameters and prepares a query run five times on a
    connection (the stored page's lookup, the search); behind a pooler that cannot keep prepared
    statements, DATABASE_PREPARED_STATEMENTS=0 turns that off. SQLite has nothing to prepare."""
    url = "postgres://postgres@127.0.0.1:5432/example"
    prepared = _settings_with(monkeypatch, SECRET_KEY="x", DATABASE_URL=url)
    assert prepared.DATABASES["default"]["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": 5}
    pooled = _settings_with(monkeypatch, SECRET_KEY="x", DATABASE_URL=url, DATABASE_PREPARED_STATEMENTS="0")
    assert not pooled.DATABASES["default"].get("OPTIONS")
    embedded = _settings_with(monkeypatch, SECRET_KEY="x", DATABASE_URL="sqlite:///example.sqlite3")
    assert "server_side_binding" not in embedded.DATABASES["default"]["OPTIONS"]


@pytest.mark.django_db
def test_on_postgresql_the_stored_page_lookup_is_prepared_on_the_server(
    client, make_article, publish_article
):
    if connections["default"].vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's; SQLite parses in process")
    url = publish_article(make_article("Prepared")).get_absolute_url()
    for _ in range(6):
        client.cookies["sessionid"] = "signed-in"  # past the page cache: the lookup runs each time
        assert client.get(url).status_code == 200
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = [row[0] for row in cursor.fetchall()]
    assert any("encyclopedia_renderedpage" in statement for statement in statements), statements


@pytest.mark.django_db
def test_manage_check_deploy_warns_of_demo_logins_that_keep_their_published_passwords(django_user_model):
    """``make run`` makes them on the database ``make serve`` may then serve: anyone could sign in."""
    from django.core import checks

    def warned() -> list[str]:
        found = checks.run_checks(
            include_deployment_checks=True, tags=[checks.Tags.security], databases=["default"]
        )
        return [message.msg for message in found if message.id == "editorial.W001"]

    assert warned() == []
    django_user_model.objects.create_user("reviewer", password="a password of its own, not the demo's")
    assert warned() == []
    django_user_model.objects.create_user("editor", password="editor-demo-2026")
    assert warned() == [
        "Demo logins still have the passwords load_demo prints (and its source holds): editor."
    ]


def test_a_kept_search_answer_is_read_from_the_primary(
    monkeypatch, settings, client, make_article, publish_article
):
    """Kept under the live generation the primary bumps: read from a replica behind it, a withdrawn
    article's redirect would be kept under the new key for minutes, not for the replica's lag."""
    publish_article(make_article("Primary read"))
    asked = []

    def db_for_read(self, model, **hints) -> str:
        if model._meta.model_name in PUBLIC_READ_MODELS:  # those the replica would serve
            asked.append((model.__name__, primary_reads.required()))
        return "default"

    monkeypatch.setattr(ReplicaRouter, "db_for_read", db_for_read)
    settings.DATABASE_ROUTERS = ["config.routers.ReplicaRouter"]  # Django's router reloads them
    client.cookies[settings.SESSION_COOKIE_NAME] = "not-a-real-session"
    assert client.get("/ency/search/?q=primary+read").status_code == 302
    assert client.get("/ency/search/?q=primarx").status_code == 200  # no result: the suggestions
    assert asked and all(primary for _, primary in asked), asked
