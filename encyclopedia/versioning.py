"""Which models django-reversion versions, and what a version of an article holds.

An article's version follows its sections, alternative names, citation links and
credit links, so restoring a version restores the whole working copy. The
publication pointer and the workflow flags are left out: restoring an old version
changes the draft, never what is live.
"""

import reversion

from encyclopedia import models

ARTICLE_FOLLOWS = ("sections", "alternative_names", "citation_links", "credit_links")
ARTICLE_UNVERSIONED = ("live_publication", "state", "withdrawn_at", "merged_into")


def register_models() -> None:
    if reversion.is_registered(models.Article):
        return
    reversion.register(models.Article, follow=ARTICLE_FOLLOWS, exclude=ARTICLE_UNVERSIONED)
    for model in (
        models.Section,
        models.AlternativeName,
        models.ArticleCitation,
        models.ArticleCredit,
        models.Citation,
        models.Reviewer,
        models.ReviewOrganization,
        models.EditorialCredit,
        models.SectionHeading,
        models.AccreditationNotice,
        models.PolicyPage,
        models.SiteSettings,
    ):
        reversion.register(model)
