"""Keeping a Spanish edition in step with its English article.

Each Spanish edition records the English publication its text was translated from
(``Article.translated_from``). When a newer English publication goes live with different words
(an approval, a minor correction, a scheduled publish), ``on_publication_changed`` marks the
edition out of date; a Spanish approval or "Confirm translation still matches" clears the mark
(``mark_current``). The admin shows the English changes since the source as a diff.

The Spanish page goes with its English article: withdrawing or merging the English article takes
its live Spanish edition down in the same transaction (``take_down_with``), and restoring it
brings back the Spanish page that was live then (``bring_back_with``).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from editorial import audit, diff, publishing
from editorial.models import AuditEvent
from encyclopedia import dates
from encyclopedia.models import Article, Language, Publication

# What a translator translates: a change in any of these makes the translation out of date. The
# review date and credits are not words to translate, and the references are shared.
TRANSLATED_FIELDS = ("title", "summary_html", "sections", "alternative_names")


def english_live(edition: Article) -> Publication | None:
    """The live publication of the English article ``edition`` translates."""
    original = edition.translation_of
    return original.live_publication if original is not None else None


def same_words(old: Publication | None, new: Publication | None) -> bool:
    """Whether two English publications say the same thing to translate."""
    if old is None or new is None:
        return old is new
    return all(getattr(old, name) == getattr(new, name) for name in TRANSLATED_FIELDS)


def english_changes(edition: Article) -> diff.DocumentDiff | None:
    """The English changes since the publication ``edition`` was translated from (None: not a
    Spanish edition, or its English article is not live)."""
    current = english_live(edition) if edition.is_translation else None
    if current is None:
        return None
    source = edition.translated_from
    return diff.compare(diff.from_publication(source) if source else None, diff.from_publication(current))


def lag_days(edition: Article, today: datetime.date | None = None) -> int:
    """Days since the edition went out of date (0 when it is current)."""
    if edition.out_of_date_since is None:
        return 0
    today = today or timezone.localdate()
    return max((today - timezone.localdate(edition.out_of_date_since)).days, 0)


def lag_words(edition: Article, today: datetime.date | None = None) -> str:
    """How long the edition has been out of date, as a sentence ends: "since today", "for 3 days"."""
    days = lag_days(edition, today)
    if days == 0:
        return "since today"
    return f"for {days} day{'' if days == 1 else 's'}"


def behind_words(edition: Article, today: datetime.date | None = None) -> str:
    """The dashboard's note on an out-of-date edition: "3 days behind the English page"."""
    days = lag_days(edition, today)
    if days == 0:
        return "behind the English page since today"
    return f"{days} day{'' if days == 1 else 's'} behind the English page"


def mark_current(edition: Article, source: Publication | None) -> list[str]:
    """Record ``source`` as what the (locked) edition translates now; out of date only if a newer
    English publication says something else. Not saved: returns the fields to save."""
    edition.translated_from = source
    current = english_live(edition)
    if same_words(source, current):
        edition.out_of_date_since = None
    elif edition.out_of_date_since is None:
        edition.out_of_date_since = current.published_at if current else timezone.now()
    return ["translated_from", "out_of_date_since"]


def on_publication_changed(
    sender: Any, articles: list[Article], before: dict[int, Publication | None] | None = None, **kwargs: Any
) -> None:
    """``publication_changed``: an English article with new words live makes its Spanish edition
    out of date (in the transaction that made it live, audit-logged once per edition). An
    article announced without what was live before (a restore loading a whole database) did not
    change, so it marks nothing."""
    before = before or {}
    changed = {
        article.pk: article.live_publication
        for article in articles
        if article.language == Language.ENGLISH
        and article.live_publication is not None
        and article.pk in before
        and getattr(before[article.pk], "pk", None) != article.live_publication_id
    }
    if not changed:
        return
    now = timezone.now()
    editions = Article.objects.spanish().filter(translation_of__in=changed, out_of_date_since__isnull=True)
    for edition in editions.select_related("translated_from"):
        current = changed[edition.translation_of_id]
        if same_words(edition.translated_from, current):
            continue
        Article.objects.filter(pk=edition.pk, out_of_date_since__isnull=True).update(out_of_date_since=now)
        audit.record(
            edition,
            "translation_out_of_date",
            None,
            f"The English article changed (publication of {dates.moment(current.published_at)}): "
            "the translation is out of date.",
            english_publication=current.pk,
        )


# The marker on a Spanish edition's take-down event: taken down with its English article, so the
# English article's restore brings it back (a Spanish edition withdrawn on its own stays withdrawn).
WITH_ENGLISH = "with_english"


def take_down_with(english: Article, user: Any, action: str, comment: str) -> Article | None:
    """Withdraw (or merge, with ``action="merge"``) the live Spanish edition of the locked English
    article being withdrawn or merged: the same medical reason applies to its translation.

    A merged edition answers 301 to the Spanish page of the article the English one merged into
    (that page says when there is no translation and links the English one). Returns the edition
    taken down, if any; audit-logged on the edition.
    """
    edition = Article.objects.select_for_update().spanish().filter(translation_of=english).first()
    if edition is None or not edition.is_live or edition.withdrawn_at or edition.merged_into_id:
        return None
    into = None
    if action == "merge":
        target = english.merged_into
        into = target.translations.first() or target
    previous = edition.state
    publishing.take_down(edition, merged_into=into)
    audit.record(
        edition,
        action,
        user,
        f"With the English article: {comment}",
        from_state=previous,
        to_state=edition.state,
        **{WITH_ENGLISH: english.pk},
    )
    return edition


def bring_back_with(english: Article, user: Any) -> Article | None:
    """Restore the Spanish edition that went down with the locked English article being restored:
    the Spanish page that was live then, never a later one. Returns it, if any; audit-logged."""
    edition = Article.objects.select_for_update().spanish().filter(translation_of=english).first()
    if edition is None or not (edition.withdrawn_at or edition.merged_into_id):
        return None
    last = (
        AuditEvent.objects.filter(article=edition, action__in=("withdraw", "merge"))
        .order_by("-id")
        .values_list("data", flat=True)
        .first()
    )
    if last is None or last.get(WITH_ENGLISH) != english.pk:
        return None  # withdrawn or merged on its own: its own restore brings it back
    previous = edition.state
    publishing.bring_back(edition)
    audit.record(
        edition,
        "restore",
        user,
        "Restored with the English article",
        from_state=previous,
        to_state=edition.state,
        **{WITH_ENGLISH: english.pk},
    )
    return edition
