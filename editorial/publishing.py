"""The one path to the public page.

This module is the only code that creates a ``Publication`` or changes
``Article.live_publication`` (``tests/test_publishing_seam.py`` checks the source). Every action
that changes what readers see comes through here: approve, scheduled publish, minor correction,
confirm, withdraw, restore, merge, delete, recover and import.

- ``freeze`` turns the working copy, as a reviewer saw it, into a new publication;
- ``reissue`` re-issues the live publication's own content with a new review (confirm);
- ``go_live`` makes a publication the live one; ``take_down`` withdraws or merges;
  ``bring_back`` restores what was live at the take-down; ``delete`` deletes the article.

Each change sends ``encyclopedia.signals.publication_changed``; the search and A–Z indexes, the
cache generations and the CDN purge listen to it. ``announce=False`` with a later ``announce``
lets a batch (the importer's) send one signal for all its articles.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.utils import timezone
from reversion.models import Revision

from encyclopedia import page_citation
from encyclopedia.caching import publication_cache, site_data
from encyclopedia.models import Article, CrossReference, Publication, WorkflowState
from encyclopedia.signals import publication_changed
from encyclopedia.snapshot import freeze as freeze_working_copy

# The fields a publication keeps from the live page's review when it is not itself a review.
REVIEW_FIELDS = ("review_date", "updated_by", "review_organization", "also_reviewed_by")


def freeze(
    article: Article,
    user: Any,
    revision: Revision | None,
    *,
    fields: dict[str, Any] | None = None,
    keep_review: bool = False,
    published_at: datetime.datetime | None = None,
    batch: list[Publication] | None = None,
) -> Publication:
    """A new publication of the (locked, saved) working copy, credits included; not live yet.

    ``fields`` is ``snapshot.freeze(article)`` if the caller holds it already (the importer
    freezes from the rows it has just written). With ``keep_review`` the live page's review
    date and credits are kept (a minor correction is not a medical review). A publication dated
    in the future is an approved update waiting for its go-live time. With ``batch`` (a list)
    the publication is added to it, not inserted yet: the caller inserts the whole batch with
    ``insert_batch`` (one query, without ``post_save``) and caches it at once
    (``publication_cache.store_many``) before any of them goes live.
    """
    fields = freeze_working_copy(article) if fields is None else dict(fields)
    live = article.live_publication
    if keep_review and live is not None:
        fields.update({name: getattr(live, name) for name in REVIEW_FIELDS})
    publication = Publication(
        article=article,
        published_at=published_at or timezone.now(),
        published_by=user,
        revision=revision,
        **fields,
    )
    if batch is not None:
        batch.append(publication)
    else:
        _insert(publication)
    return publication


def insert_batch(publications: list[Publication]) -> list[int]:
    """Insert the publications ``freeze`` added to a batch, with their article links; their pks."""
    if connection.features.can_return_rows_from_bulk_insert:
        Publication.objects.bulk_create(publications)
    else:
        for publication in publications:
            publication.save(force_insert=True)
    _link(publications)
    return [publication.pk for publication in publications]


def reissue(article: Article, user: Any, *, review_date: datetime.date, updated_by: str) -> Publication:
    """The live publication's own content again, with a new review date and reviewer credit.

    "Confirmed still accurate" vouches for the page readers see, so nothing is read from the
    working copy: not its text, not its credits, not its review organization.
    """
    live = article.live_publication
    if live is None:
        raise ValueError(f"Article {article.public_id} has no live publication to re-issue.")
    content = {
        field.name: getattr(live, field.name)
        for field in Publication._meta.concrete_fields
        if field.name not in ("id", "published_at", "published_by")
    }
    content.update(review_date=review_date, updated_by=updated_by, published_by=user)
    publication = Publication(published_at=timezone.now(), **content)
    _insert(publication)
    return publication


def _insert(publication: Publication) -> None:
    # "Cite this page" is rendered now, once, not by its first reader; an import's batch
    # (``insert_batch``) leaves it to ``render_cite_boxes`` (citeproc-py would triple the import's time).
    publication.cite_templates = page_citation.publication_templates(
        publication, site_data.settings(), publication.article.language
    )
    publication.save(force_insert=True)  # cached by encyclopedia.caching.publication_cache on save
    _link([publication])


def _link(publications: list[Publication]) -> None:
    """The cross-references of inserted publications: which articles each links to."""
    CrossReference.objects.bulk_create(
        CrossReference(publication=publication, target_public_id=target)
        for publication in publications
        for target in publication.linked_article_ids
    )


def render_cite_boxes(publications: Iterable[Publication]) -> list[int]:
    """Render "Cite this page" for those of ``publications`` that hold none for the current site
    settings (imported in a batch, or frozen before they were stored); returns their pks.

    It is derived from the frozen fields alone, so storing it changes nothing readers see but
    the time their first view takes (``manage.py render_cite_boxes``).
    """
    site = site_data.settings()
    publications = list(publications)
    languages = dict(  # each publication's edition: the site's name is printed in its language
        Article.objects.filter(pk__in={p.article_id for p in publications}).values_list("pk", "language")
    )
    done = []
    for publication in publications:
        language = languages[publication.article_id]
        if publication.cite_templates.get("key") != page_citation.publication_key(
            publication, site, language
        ):
            templates = page_citation.publication_templates(publication, site, language)
            Publication.objects.filter(pk=publication.pk).update(cite_templates=templates)
            done.append(publication.pk)
    publication_cache.store_many(done)
    return done


def go_live(article: Article, publication: Publication, *, announce: bool = True) -> Publication:
    """Make ``publication`` the live page of the locked ``article``; the working copy is now it."""
    before = article.live_publication
    article.live_publication = publication
    article.taken_down_publication = None
    article.state = WorkflowState.PUBLISHED
    article.go_live_at = None
    ended = article.end_submission()
    article.save(update_fields=["live_publication", "taken_down_publication", "state", "go_live_at", *ended])
    if announce:
        _announce([article], {article.pk: before})
    return publication


def replace_live(article: Article, publication: Publication) -> Publication:
    """Make ``publication`` live without touching the working copy's draft (a confirmation)."""
    before = article.live_publication
    article.live_publication = publication
    article.save(update_fields=["live_publication"])
    _announce([article], {article.pk: before})
    return publication


def take_down(article: Article, *, merged_into: Article | None = None) -> None:
    """Withdraw the locked ``article`` (410 Gone), or merge it into ``merged_into`` (301).

    What was live is remembered, so that ``bring_back`` shows exactly that page again; an
    update waiting for its go-live time is cancelled, and a draft in review goes back to a draft.
    """
    before = article.live_publication
    if merged_into is None:
        article.withdrawn_at = timezone.now()
    else:
        article.merged_into = merged_into
    if before is not None:
        article.taken_down_publication = before
    article.live_publication = None
    if article.is_locked:
        article.state = WorkflowState.DRAFT
    article.go_live_at = None
    article.save(
        update_fields=[
            "withdrawn_at",
            "merged_into",
            "taken_down_publication",
            "live_publication",
            "state",
            "go_live_at",
        ]
    )
    _announce([article], {article.pk: before})


def bring_back(article: Article) -> Publication | None:
    """Restore the withdrawn or merged ``article``: the page that was live when it was taken down.

    Never a later one: an update whose schedule the withdrawal cancelled stays cancelled.
    """
    publication = article.taken_down_publication
    article.withdrawn_at = None
    article.merged_into = None
    article.live_publication = publication
    article.taken_down_publication = None
    article.save(update_fields=["withdrawn_at", "merged_into", "live_publication", "taken_down_publication"])
    _announce([article], {article.pk: None})
    return publication


def delete(article: Article) -> None:
    """Delete the article with its publications; its pages answer 404 from now on."""
    before = article.live_publication
    article.live_publication = None  # as readers see it from now on; the row goes with the delete
    _announce([article], {article.pk: before})
    article.delete()


def announce(articles: list[Article], before: dict[int, Publication | None] | None = None) -> None:
    """Send the signal for changes made with ``announce=False`` (a batch, in one go)."""
    if articles:
        _announce(articles, before or {})


def _announce(articles: list[Article], before: dict[int, Publication | None]) -> None:
    publication_changed.send(sender=Article, articles=articles, before=before)
