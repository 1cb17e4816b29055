"""What a version of an article holds (the models register with ``@reversion.register``).

An article's version follows its sections, alternative names, citation links,
credit links, images, related articles and codes, so restoring a version restores the whole working copy. The
publication pointer and the workflow flags are left out: restoring an old version
changes the draft, never what is live.
"""

ARTICLE_FOLLOWS = (
    "sections",
    "alternative_names",
    "citation_links",
    "credit_links",
    "images",
    "related_links",
    "codes",
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
    # The translation's standing against its English article: set by publishing and reviews,
    # never by restoring old wording.
    "translated_from",
    "out_of_date_since",
)
_FOREIGN_KEYS = {
    "live_publication",
    "assigned_reviewer",
    "submitted_by",
    "merged_into",
    "taken_down_publication",
    "translated_from",
}


def keep_unversioned_fields(sender, instance, raw: bool, **kwargs) -> None:
    """``pre_save`` of an article: a restored version carries no live pointer or flags, so keep
    the ones the row has now (connected in ``EncyclopediaConfig.ready()``)."""
    if not raw or instance.pk is None:
        return
    current = (
        sender.objects.filter(pk=instance.pk)
        .values(*(f"{f}_id" if f in _FOREIGN_KEYS else f for f in ARTICLE_UNVERSIONED))
        .first()
    )
    if current:
        for name, value in current.items():
            setattr(instance, name, value)
