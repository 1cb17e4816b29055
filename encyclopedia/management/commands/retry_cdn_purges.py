"""python manage.py retry_cdn_purges [--all] : send again the CDN purges that failed."""

from django.core.management.base import BaseCommand

from encyclopedia.caching import cdn


class Command(BaseCommand):
    help = (
        "Send again the CDN purges the CDN did not accept (down, slow, an error), each after its "
        "back-off; drop those older than a page's max-age. Run it every minute from cron."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--all", action="store_true", help="Try every pending purge now, back-off or not."
        )

    def handle(self, *args, all: bool, **options) -> None:
        if not cdn.enabled():
            self.stdout.write("CDN_PURGE_URL is not set: nothing to purge.")
            return
        still, done, dropped = cdn.retry_pending(ignore_back_off=all)
        self.stdout.write(
            f"{done} purges sent, {dropped} dropped (older than a page's max-age), {still} paths pending."
        )
