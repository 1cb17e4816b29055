"""Publications by pk through the cache: the article page reads one on every uncached view.

A publication is frozen when it is made, so a cached copy cannot go stale; still, any save
replaces it and a deletion drops it. The copy is put in the cache when the publication is
saved (and again when the transaction commits), so the first reader after a publish does not pay for it.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from encyclopedia.caching import keys
from encyclopedia.models import Publication

_TIMEOUT = 24 * 3600


def get(pk: int) -> Publication:
    """The publication ``pk``, from the cache when another request has read it."""
    return cache.get_or_set(keys.publication(pk), lambda: Publication.objects.get(pk=pk), _TIMEOUT)


def store_many(pks: list[int]) -> None:
    """Put these publications in the cache, in one query: for writes that create many at once
    with ``bulk_create`` (an import's batch), which sends no ``post_save``."""
    found = Publication.objects.in_bulk(pks)
    cache.set_many({keys.publication(pk): found[pk] for pk in found}, _TIMEOUT)


def _saved(sender, instance: Publication, **kwargs) -> None:
    # Now, and again on commit: only a committed article points at it, and a pk reused after
    # a rollback (SQLite reuses them) is saved anew, which replaces the copy.
    store_many([instance.pk])
    transaction.on_commit(lambda: store_many([instance.pk]))


def _deleted(sender, instance: Publication, **kwargs) -> None:
    cache.delete(keys.publication(instance.pk))


post_save.connect(_saved, sender=Publication, dispatch_uid="publication-cache-save")
post_delete.connect(_deleted, sender=Publication, dispatch_uid="publication-cache-delete")
