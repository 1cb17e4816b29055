"""Which models django-reversion versions, and what a version of an article holds.

An article's version follows its sections, alternative names, citation links,
credit links and images, so restoring a version restores the whole working copy. The
publication pointer and the workflow flags are left out: restoring an old version
changes the draft, never what is live.
"""

import reversion
from django.db.models.signals import pre_save

from encyclopedia import models

ARTICLE_FOLLOWS = (
    "sections",
    "alternative_names",
    "citation_links",
    "credit_links",
    "images",
    "related_links",
)
ARTICLE_UNVERSIONED = (
    "review_date",  # set by medical reviews only: restoring old wording is not a review
    "next_review_due",
    "live_publication",
    "state",
    "assigned_reviewer",
    "submitted_by",
    "submitted_at",
    "submission_note",
    "review_comment",
    "go_live_at",
    "withdrawn_at",
    "merged_into",
    "taken_down_publication",
)
_FOREIGN_KEYS = {
    "live_publication",
    "assigned_reviewer",
    "submitted_by",
    "merged_into",
    "taken_down_publication",
}


def _keep_unversioned_fields(sender, instance: models.Article, raw: bool, **kwargs) -> None:
    """A restored version carries no live pointer or flags: keep the ones the row has now."""
    if not raw or instance.pk is None:
        return
    current = (
        models.Article.objects.filter(pk=instance.pk)
        .values(*(f"{f}_id" if f in _FOREIGN_KEYS else f for f in ARTICLE_UNVERSIONED))
        .first()
    )
    if current:
        for name, value in current.items():
            setattr(instance, name, value)


def register_models() -> None:
    if reversion.is_registered(models.Article):
        return
    pre_save.connect(_keep_unversioned_fields, sender=models.Article, dispatch_uid="keep_unversioned_fields")
    reversion.register(models.Article, follow=ARTICLE_FOLLOWS, exclude=ARTICLE_UNVERSIONED)
    reversion.register(models.SectionHeading, follow=("placements",))
    for model in (
        models.Section,
        models.AlternativeName,
        models.ArticleCitation,
        models.ArticleCredit,
        models.RelatedArticle,
        models.ArticleImage,
        models.Citation,
        models.Reviewer,
        models.ReviewOrganization,
        models.EditorialCredit,
        models.HeadingPlacement,
        models.AccreditationNotice,
        models.PolicyPage,
        models.SiteSettings,
    ):
        reversion.register(model)
