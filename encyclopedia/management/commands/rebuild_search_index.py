"""python manage.py rebuild_search_index : rebuild search and the A–Z index from what is live."""

from django.core.management.base import BaseCommand
from django.db import transaction

from encyclopedia import search
from encyclopedia.caching import cdn


class Command(BaseCommand):
    help = "Rebuild the search index and the A–Z index from the live publications (safe to run any time)."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            count = search.rebuild()
            cdn.lists_changed()  # a cached search or letter page may show the index as it was
        self.stdout.write(f"Indexed {count} live articles.")
