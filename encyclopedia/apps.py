from django.apps import AppConfig


class EncyclopediaConfig(AppConfig):
    name = "encyclopedia"
    verbose_name = "Encyclopedia content"

    def ready(self) -> None:
        from encyclopedia import publications, site  # noqa: F401 - connect the cache signals
