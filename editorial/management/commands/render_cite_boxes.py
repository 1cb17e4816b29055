"""python manage.py render_cite_boxes : render "Cite this page" for live pages that hold none yet."""

from django.core.management.base import BaseCommand
from django.db.models import F

from editorial import publishing
from encyclopedia.models import Publication

CHUNK = 500


class Command(BaseCommand):
    help = (
        "Render and store the APA and MLA citations of every live page imported in a batch or "
        "frozen before they were stored, or under other site settings, so that no reader's first "
        "view renders them. Safe to run again: pages that hold them are skipped."
    )

    def handle(self, *args, **options) -> None:
        live = Publication.objects.filter(article__live_publication=F("pk")).order_by("pk")
        rendered = 0
        for start in range(0, live.count(), CHUNK):
            rendered += len(publishing.render_cite_boxes(live[start : start + CHUNK]))
        self.stdout.write(f"{rendered} live {'page' if rendered == 1 else 'pages'} given their citations.")
