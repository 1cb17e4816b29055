"""Search on PostgreSQL with the largest article the limits allow live (issue #13; BENCHMARKS.md).

    python -m bench.search_limits [--articles 1000] [--repeat 20] [--keep]

Imports ``--articles`` generated pages and one of the largest size allowed into database
``bench_search_limits`` (dropped first, and at the end unless --keep), then times the uncached search
page for 20 queries, 10 of which match the largest article. Prints JSON on the last line.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from bench import common

DB = "bench_search_limits"
# Ten reader queries that match the largest article (it is about night leg cramps), and the
# benchmark's own ten.
LARGE_ARTICLE_QUERIES = 'cramps at night|cramps|"muscle cramps ease"|cramp*|treatment|pain|symptoms doctor|'
LARGE_ARTICLE_QUERIES += "muscle stretching|stretching calf|zygomycosis"


def largest_page(review: str, credit: str) -> str:
    """A page of exactly the article limit: a full summary, full sections, the rest in the last."""
    from bench import content
    from encyclopedia import limits

    rng = random.Random(13)
    subject = "night leg cramps"

    def text(size: int, ending: str = "") -> str:
        """Exactly ``size`` characters of paragraphs, ending with ``ending``."""
        parts, length = [], 0
        while length < size:
            part = content.paragraph(rng, subject, 3)
            if rng.random() < 0.3:
                part += " Muscle cramps ease with stretching of the calf; ask a doctor about the pain."
            parts.append(part)
            length += len(part) + 2
        body = "\n\n".join(parts)[: size - len(ending)].rstrip()
        return body + "." * (size - len(ending) - len(body)) + ending

    summary = text(limits.summary_limit())
    room = limits.article_limit() - len(summary)
    lines = [f"# {subject.capitalize()}", "", summary, ""]
    number = 0
    while room > 0:
        number += 1
        size = min(room, limits.section_limit())
        room -= size
        lines += [
            f"## Part {number}",
            "",
            text(size, "" if room else " Zygomycosis is unrelated to cramps."),
            "",
        ]
    lines += ["", f"Review Date {review}", "", f"Updated by: {credit}", ""]
    return "\n".join(lines)


def write_pages(folder: Path, count: int) -> int:
    """The ordinary pages and the largest one, as files; returns the largest article's size."""
    from bench import content
    from editorial.importer.parser import parse_page
    from encyclopedia import limits

    review, credit = "3/31/2026", "Rae Viewer, MD, Internal Medicine, Example Clinic, Springfield, IL."
    titles = content.all_titles()
    for index in range(count):
        title, kind, names = titles[index * 7 % len(titles)]
        text = content.article_text(index, title, kind, names, [])
        page = content.page(text, public_id=None, references=[], review=review, credit=credit)
        (folder / f"{index:05d}.md").write_text(page, encoding="utf-8")
    largest = largest_page(review, credit)
    (folder / "largest.md").write_text(largest, encoding="utf-8")
    parsed = parse_page(largest)
    return limits.article_size(parsed.summary, [section.body for section in parsed.sections])


def measure(repeat: int) -> dict:
    """Per query: the search page's and ``search.search``'s times, ``repeat`` times after two unmeasured."""
    from django.test import Client

    from bench.content import SEARCH_QUERIES
    from encyclopedia import search

    client = Client()
    client.cookies["sessionid"] = common.SESSION_COOKIE.split("=", 1)[1]
    pages, calls, per_query = [], [], {}
    for query in [*LARGE_ARTICLE_QUERIES.split("|"), *SEARCH_QUERIES]:
        path = "/ency/search/?" + urlencode({"q": query})
        if (status := client.get(path, secure=True).status_code) not in (200, 302):  # 302: names an article
            raise RuntimeError(f"GET {path}: {status}")
        page_times = common.timed(lambda p=path: client.get(p, secure=True), repeat)
        call_times, found = common.timed(lambda q=query: search.search(q), repeat), search.search(query)
        shown = any(result.title == "Night leg cramps" for result in found.results)
        page, call = common.summarize(page_times), common.summarize(call_times)
        per_query[query] = {
            "results": found.total,
            "largest_on_first_page": shown,
            "page": page,
            "search": call,
        }
        pages, calls = pages + page_times, calls + call_times
        print(
            f"{query!r:34} {found.total:5d} results{' (largest shown)' if shown else '':16}  "
            f"page p95 {page['p95_ms']:7.2f} ms, search() p95 {call['p95_ms']:7.2f} ms",
            file=sys.stderr,
        )
    return {"queries": per_query, "all": {"page": common.summarize(pages), "search": common.summarize(calls)}}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()

    os.environ.update(common.bench_env("postgresql"))
    os.environ["DATABASE_URL"] = f"postgres://postgres@{common.PG_HOST}:{common.PG_PORT}/{DB}"
    # The production settings but for static files read from the apps (no collectstatic needed).
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.test_settings"
    common.pg_admin(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)", f"CREATE DATABASE {DB}")
    import django

    django.setup()
    from django.core.management import call_command

    from encyclopedia.models import Article

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory() as folder:
        largest_size = write_pages(Path(folder), args.articles)
        call_command("import_articles", folder, stdout=io.StringIO())
    live = Article.objects.live().count()
    print(f"{live} live articles ({time.perf_counter() - started:.0f} s to load)", file=sys.stderr)
    results = {"live_articles": live, "largest_article_characters": largest_size, **measure(args.repeat)}
    print(f"all queries: {results['all']}", file=sys.stderr)
    if not args.keep:
        from django.db import connections

        connections.close_all()
        common.pg_admin(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
