"""python manage.py retry_cdn_purges [--all] : send again the CDN purges that failed."""

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

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
            dropped = cdn.drop_unsendable()
            left = (
                ngettext(
                    " Dropped %(count)d purge queued while it was set.",
                    " Dropped %(count)d purges queued while it was set.",
                    dropped,
                )
                % {"count": dropped}
                if dropped
                else ""
            )
            self.stdout.write(f"CDN_PURGE_URL is not set: nothing to purge.{left}")
            return
        still, done, dropped = cdn.retry_pending(ignore_back_off=all)
        self.stdout.write(
            ngettext("%(count)d purge sent", "%(count)d purges sent", done) % {"count": done}
            + ", "
            + ngettext(
                "%(count)d purge dropped (older than a page's max-age)",
                "%(count)d purges dropped (older than a page's max-age)",
                dropped,
            )
            % {"count": dropped}
            + ", "
            + ngettext("%(count)d path pending.", "%(count)d paths pending.", still) % {"count": still}
        )
