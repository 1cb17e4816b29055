"""Generate the benchmark's data set into a fresh database through the product's own importer and
editorial actions, so that every row is one the product writes (BENCHMARKS.md, "The data set").

    python -m bench.generate --db sqlite|postgresql [--articles N]
"""

from __future__ import annotations

import argparse
import datetime
import io
import itertools
import json
import random
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from bench import common, content

HISTORY_ARTICLE, HISTORY_REVISIONS = "000100", 200
PAGES_PER_RUN = 1000  # files per import_articles call (it commits every 20)
# One round of the workflow after an import: edits, a review sent back, two approvals, a correction.
WORKFLOW = ["edit"] * 4 + ["submit", "request_changes", "edit", "submit", "approve"]
WORKFLOW += ["edit"] * 6 + ["submit", "approve", "edit", "publish_correction"]
COUNTED = {  # the data set's table: what each key counts
    "articles": "encyclopedia.Article",
    "sections": "encyclopedia.Section",
    "alternative_names": "encyclopedia.AlternativeName",
    "citations": "encyclopedia.Citation",
    "publications": "encyclopedia.Publication",
    "revisions": "reversion.Revision",
    "versions": "reversion.Version",
    "audit_events": "editorial.AuditEvent",
    "index_entries": "encyclopedia.IndexEntry",
    "codes": "encyclopedia.CodeEntry",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgresql"], required=True)
    parser.add_argument("--articles", type=int, default=common.DEFAULT_ARTICLES)
    args = parser.parse_args()
    started = time.perf_counter()
    common.drop_database(args.db, create=True)
    common.setup_django(args.db)
    timings = populate(args.articles)
    timings["total_s"] = time.perf_counter() - started
    out = {"articles": args.articles, "timings": timings, "counts": counts()}
    (common.out_dir(args.db) / "generate.json").write_text(json.dumps(out, indent=2))
    common.log("generate", f"{args.articles} articles in {timings['total_s']:.0f} s")


def populate(articles: int, *, largest: bool = True) -> dict[str, float]:
    """Migrate, load the site data, import ``articles`` generated pages (with ``largest``, the last the
    largest article the limits allow), give one article a long history, and store every page; the
    seconds each step took."""
    from django.core.management import call_command
    from django.db import connection

    timings, started = {}, time.perf_counter()

    def lap(name: str) -> None:
        nonlocal started
        timings[name], started = time.perf_counter() - started, time.perf_counter()

    call_command("collectstatic", interactive=False, verbosity=0)  # as `make serve` does
    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0)
    if connection.vendor == "sqlite":  # this connection only: the data set is thrown away on failure
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
    users = create_users()
    lap("migrate_and_site_data_s")
    folder, writer = common.WORKDIR / "pages", PageWriter(articles)
    folder.mkdir(parents=True, exist_ok=True)
    for first in range(1, articles + 1, PAGES_PER_RUN):
        paths = [folder / f"{i:06d}.md" for i in range(first, min(first + PAGES_PER_RUN, articles + 1))]
        for index, path in enumerate(paths, start=first):
            text = writer.largest(index) if largest and index == articles else writer.page(index)
            path.write_text(text, encoding="utf-8")
        call_command("import_articles", *map(str, paths), stdout=io.StringIO())
        common.log(
            "generate", f"{first + len(paths) - 1}/{articles} imported, {time.perf_counter() - started:.0f} s"
        )
    lap("articles_s")
    if articles >= int(HISTORY_ARTICLE):
        history(HISTORY_ARTICLE, users, HISTORY_REVISIONS)
    lap("history_s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    started = time.perf_counter()
    render_pages()
    lap("render_pages_s")
    return timings


def render_pages(processes: int = 2) -> None:
    """Store every page, as the README tells an operator to after a large import, one process per core:
    the load runs' first views are then lookups, as a reader's first view of a page read before is."""
    command = [sys.executable, "manage.py", "render_pages", "--url", f"https://127.0.0.1:{common.PORT}"]
    running = [
        subprocess.Popen(
            [*command, "--shard", f"{part}/{processes}"], cwd=common.ROOT, stdout=subprocess.DEVNULL
        )
        for part in range(processes)
    ]
    if any(process.wait() for process in running):
        raise SystemExit("manage.py render_pages failed")


def create_users() -> dict[str, Any]:
    """The benchmark's four sign-ins (a superuser, an editor, a medical reviewer, a director) and
    the reviewers the pages credit; the first reviewer is the medical reviewer's profile."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from editorial import roles
    from encyclopedia.models import Reviewer

    User, password = get_user_model(), common.BENCH_PASSWORD
    users = {"admin": User.objects.create_superuser("bench-admin", "bench-admin@example.org", password)}
    groups = {
        "editor": roles.EDITORS,
        "reviewer": roles.MEDICAL_REVIEWERS,
        "director": roles.EDITORIAL_DIRECTORS,
    }
    for key, group in groups.items():
        users[key] = User.objects.create_user(
            f"bench-{key}", f"bench-{key}@example.org", password, is_staff=True
        )
        users[key].groups.add(Group.objects.get(name=group))
    reviewers = [Reviewer.objects.create(**row) for row in content.reviewer_rows()]
    reviewers[0].user = users["reviewer"]
    reviewers[0].save(update_fields=["user"])
    return users


class PageWriter:
    """The generated pages: article ``index`` gets id ``index``, a title, a review and references."""

    def __init__(self, articles: int, citations: int | None = None):
        from editorial.importer.parser import ParseError, parse_citation
        from encyclopedia import credits, references
        from encyclopedia.models import Citation, Reviewer, ReviewOrganization

        self.articles, self.titles, self.today = articles, content.all_titles(), datetime.date.today()
        if len(self.titles) < articles:
            raise SystemExit(f"The generator makes at most {len(self.titles)} distinct titles.")
        self.references = []
        for row in content.citation_rows(citations or max(200, articles // 5)):
            text = references.render_text(Citation(**row))
            try:
                parse_citation(text)
                self.references.append(text)
            except ParseError:
                continue
        organization = ReviewOrganization.objects.order_by("pk").first()
        fields = ("name", "credentials", "title", "department", "institution", "city", "state")
        reviewers = Reviewer.objects.filter(name__in=[row["name"] for row in content.reviewer_rows()])
        self.credits = [
            credits.reviewer_credit(**{name: getattr(reviewer, name) for name in fields})
            + f". Review provided by {organization.name}."
            for reviewer in reviewers.order_by("pk")
        ]

    def page(self, index: int, *, with_id: bool = True, links: bool = True, codes: bool = True) -> str:
        title, kind, names = self.titles[index - 1]
        rng = random.Random(index)
        targets = [f"{rng.randint(1, self.articles):06d}" for _ in range(2)] if links else []
        text = content.article_text(index, title, kind, names, [t for t in targets if t != f"{index:06d}"])
        reviewed = self.today - datetime.timedelta(days=rng.randint(3, 1250))
        icd, snomed, loinc = content.codes(index)
        return content.page(
            text,
            public_id=f"{index:06d}" if with_id else None,
            references=rng.sample(self.references, 4),
            review=f"{reviewed.month}/{reviewed.day}/{reviewed.year}",
            credit=self.credits[rng.randrange(len(self.credits))],
            codes=f"ICD-10-CM {icd} {title}; SNOMED CT {snomed}; LOINC {loinc}" if codes else "",
        )

    def largest(self, index: int) -> str:
        """Article ``index`` as the largest article the limits allow (``content.LARGEST_QUERIES``)."""
        return content.largest_page(f"{index:06d}", f"{self.today:%m/%d/%Y}", self.credits[0])


def edit(public_id: str, editor: Any, number: int, change: Callable[[Any], None] | None = None) -> Any:
    """What an editor's save in the admin does: lock and check, save a revision, record the edit.

    ``change`` edits the locked article's rows (saving them); by default the summary and the first
    section get an "Edited for the benchmark (``number``)." sentence in place of the last one."""
    import reversion
    from django.db import transaction

    from editorial.actions.edit import check_editable, record_edit
    from encyclopedia.models import Article

    def mark_edited(article: Any) -> None:
        section, mark = article.sections.order_by("position").first(), "Edited for the benchmark"
        section.body = section.body.split(f"\n\n{mark}")[0] + f"\n\n{mark} ({number})."
        section.save()
        article.summary = article.summary.split(f" {mark}")[0] + f" {mark} ({number})."
        article.save()

    with transaction.atomic():
        locked = check_editable(Article.objects.get(public_id=public_id), editor, None)
        previous = locked.state
        with reversion.create_revision():
            (change or mark_edited)(locked)
            reversion.set_user(editor)
            reversion.set_comment("Changed summary and sections.")
        record_edit(locked, editor, previous, f"Edited: summary, sections ({number})")
    return locked


def history(public_id: str, users: dict[str, Any], revisions: int) -> None:
    """Take the imported article through the workflow until it has ``revisions`` revisions."""
    from reversion.models import Version

    from editorial.actions.approve import approve
    from editorial.actions.publish_correction import publish_correction
    from editorial.actions.request_changes import request_changes
    from editorial.actions.submit import submit
    from encyclopedia.models import Article

    def article() -> Article:
        return Article.objects.get(public_id=public_id)

    editor, reviewer = users["editor"], users["reviewer"]
    steps = {
        "edit": lambda n: edit(public_id, editor, n),
        "submit": lambda n: submit(article(), editor, note="Please review."),
        "request_changes": lambda n: request_changes(
            article(), reviewer, comment="Please update the treatment section."
        ),
        "approve": lambda n: approve(article(), reviewer, notes="Checked."),
        "publish_correction": lambda n: publish_correction(
            article(), users["director"], reason="Fixed a typo."
        ),
    }
    for number, step in enumerate(itertools.cycle(WORKFLOW)):
        if (done := Version.objects.get_for_object(article()).count()) >= revisions:
            break
        steps[step](number)
    common.log("generate", f"article {public_id}: {done} revisions")


def counts() -> dict[str, int]:
    from django.apps import apps

    return {key: apps.get_model(label).objects.count() for key, label in COUNTED.items()}


if __name__ == "__main__":
    main()
