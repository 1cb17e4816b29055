"""python manage.py publish_scheduled : publish approved updates whose go-live time has passed."""

from django.core.management.base import BaseCommand

from editorial.actions.publish_scheduled import publish_due


class Command(BaseCommand):
    help = "Publish approved updates whose go-live time has passed. Safe to run often and in parallel."

    def handle(self, *args, **options) -> None:
        published = publish_due()
        for article in published:
            self.stdout.write(f"Published {article.public_id} “{article.title}”")
        self.stdout.write(
            f"{len(published)} scheduled {'update' if len(published) == 1 else 'updates'} published."
        )
