"""Starting the Spanish edition of a live English article.

The edition is a new Spanish draft with the English article's id, its type and specialty, and
its sections' headings (standard ones print in Spanish), for a translator to fill in: no English
text is copied into it and nothing goes live. It records the English live publication as the
text it is translated from, so a later English change marks it out of date.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from editorial import audit, workflow
from encyclopedia import dates
from encyclopedia.models import Article, Language, Section


def add_spanish_edition(article: Article, user: Any) -> Article:
    """Create the Spanish draft of the live English ``article``; returns the new edition."""
    created: list[Article] = []

    def change(locked: Article) -> None:
        edition = Article.objects.create(
            language=Language.SPANISH,
            translation_of=locked,
            public_id=locked.public_id,
            title=locked.live_publication.title,
            article_type=locked.article_type,
            specialty=locked.specialty,
            summary="",
            translated_from=locked.live_publication,
        )
        Section.objects.bulk_create(
            Section(
                article=edition,
                position=section.position,
                heading_id=section.heading_id,
                custom_heading=section.custom_heading,
                body="",
            )
            for section in locked.sections.order_by("position", "id")
        )
        created.append(edition)

    with transaction.atomic():
        workflow.run("add_translation", article, user, comment="Spanish edition started", change=change)
        edition = created[0]
        audit.record(
            edition,
            "add_translation",
            user,
            f"Spanish edition started from the English page published "
            f"{dates.moment(edition.translated_from.published_at)}",
            english_publication=edition.translated_from_id,
        )
    return edition
