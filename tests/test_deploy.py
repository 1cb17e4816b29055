"""Production settings and the read-replica router."""

from __future__ import annotations

import pytest
from django.db import connections

from config.routers import ReplicaRouter
from encyclopedia.models import Article, IndexEntry, Publication, SearchEntry


def test_public_reads_go_to_the_replica_and_everything_else_to_the_primary(monkeypatch):
    router = ReplicaRouter()
    for model in (Publication, SearchEntry, IndexEntry):
        assert router.db_for_read(model) == "replica"
        assert router.db_for_write(model) == "default"
    assert router.db_for_read(Article) == "default"
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
