from django.apps import AppConfig


class EncyclopediaConfig(AppConfig):
    name = "encyclopedia"
    verbose_name = "Encyclopedia content"

    def ready(self) -> None:
        from django.db.models.signals import pre_delete, pre_save

        from encyclopedia import checks, search, versioning  # noqa: F401 - checks registers the system checks
        from encyclopedia.caching import (  # noqa: F401 - publication_cache, site_data connect their own receivers
            cdn,
            publication_cache,
            site_data,
            stale,
        )
        from encyclopedia.models import Article
        from encyclopedia.signals import publication_changed

        # What follows a change of what is live, in the transaction: the indexes, the stored
        # pages' versions, then the cache generations (again on commit) and the CDN purge.
        publication_changed.connect(search.on_publication_changed, dispatch_uid="search-index")
        publication_changed.connect(stale.on_publication_changed, dispatch_uid="stale-pages")
        pre_save.connect(
            versioning.keep_unversioned_fields, sender=Article, dispatch_uid="keep-unversioned-fields"
        )
        pre_delete.connect(search.forget_deleted, sender=Article, dispatch_uid="search-forget-deleted")
        pre_delete.connect(cdn.on_article_deleted, sender=Article, dispatch_uid="page-generations-deleted")
