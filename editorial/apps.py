from django.apps import AppConfig


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = "Editorial workflow"

    def ready(self) -> None:
        from django.contrib.admin.models import LogEntry
        from django.db.models.signals import post_save

        from editorial import audit, checks, translation  # noqa: F401 - checks registers the system checks
        from encyclopedia.signals import publication_changed

        # Site data is edited in encyclopedia's admin: each change it logs is an audit event.
        post_save.connect(audit.record_admin_change, sender=LogEntry, dispatch_uid="audit-site-data")
        # A newer English publication live marks its Spanish edition out of date.
        publication_changed.connect(
            translation.on_publication_changed, dispatch_uid="spanish-edition-out-of-date"
        )
