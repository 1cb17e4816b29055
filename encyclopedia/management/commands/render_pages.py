"""python manage.py render_pages [--url https://host] : store every live article page not stored yet."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import F
from django.http.request import validate_host
from django.templatetags.static import static
from django.test import RequestFactory

from encyclopedia import paths, views
from encyclopedia.caching import rendered_pages
from encyclopedia.models import Article


class Command(BaseCommand):
    help = (
        "Render and store the page of every live article edition whose stored page is missing or "
        "out of date, as a reader's first view would, so that readers' first views are lookups: "
        "after a large import, a deploy or a change of the site's name. Run it with the servers' "
        "settings and files, after collectstatic. Safe to run again."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--url",
            default=settings.SITE_URL,
            help="The site's address, as readers reach it (default: SITE_URL).",
        )
        parser.add_argument(
            "--shard",
            default="0/1",
            help="K/N: only the K-th of N equal shares (0 ≤ K < N), to run N processes at once.",
        )

    def handle(self, *args, url: str, shard: str, **options) -> None:
        try:
            part, parts = (int(number) for number in shard.split("/"))
        except ValueError:
            part, parts = -1, 0
        if not 0 <= part < parts:
            raise CommandError(f"--shard {shard}: give K/N with 0 ≤ K < N, e.g. 0/2 and 1/2.")
        address = urlsplit(url)
        if address.scheme not in ("http", "https") or not address.netloc:
            raise CommandError(
                f"--url {url!r}: give the site's address as readers reach it (https://host), or set SITE_URL."
            )
        if address.path.strip("/") or address.query:
            raise CommandError(f"--url {url!r}: give the address without a path (https://host).")
        if settings.SITE_URL and url.rstrip("/") != settings.SITE_URL:
            raise CommandError(
                f"SITE_URL is {settings.SITE_URL}: every page is stored for that address; leave out --url."
            )
        if not validate_host(address.hostname or "", settings.ALLOWED_HOSTS):
            raise CommandError(f"{address.hostname} is not in ALLOWED_HOSTS: readers cannot reach it.")
        try:
            static("encyclopedia/site.css")
        except ValueError as error:
            raise CommandError(
                f"{error}: run collectstatic first, with the servers' settings (make serve does)."
            ) from error
        factory = RequestFactory(HTTP_HOST=address.netloc)
        secure = address.scheme == "https"
        rendered = rendering = 0
        live = Article.objects.live().annotate(share=F("pk") % parts).filter(share=part)
        live = live.order_by("pk").values_list("public_id", "language")
        # Read whole first: on SQLite, a cursor left open while this process writes would hold
        # a snapshot that another process's writes make stale ("database is locked").
        for public_id, language in list(live):
            request = factory.get(paths.article_path(public_id, language), secure=secure)
            found, stored = rendered_pages.find(public_id, language)
            page_stamp = rendered_pages.stamp(request, language, found)
            if stored is not None and stored.fits(page_stamp):
                continue
            views.article(request, public_id, language)
            rendering += 1
            _, stored = rendered_pages.find(public_id, language)
            rendered += stored is not None and stored.fits(page_stamp)
        self.stdout.write(f"{rendered} {'page' if rendered == 1 else 'pages'} rendered and stored.")
        if skipped := rendering - rendered:
            self.stdout.write(f"{skipped} rendered but not stored: changed meanwhile, or see the log.")
