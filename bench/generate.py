"""Generate the benchmark data set into a fresh database.

    python -m bench.generate --db sqlite|postgresql [--articles N]

Creates the database (a SQLite file in the work directory, or PostgreSQL database
``bench_encyclopedia`` on 127.0.0.1:5432, dropped first), migrates it, loads the demo site
data, then writes N live articles, each with 6 sections (15 list items), 3 alternative names,
4 references, 4 publications (three earlier ones and the live one), 20 reversion revisions
holding real versions of the article and every row it follows (what django-reversion
itself would have written), 20 audit events and 4 review records. One article (the
"history article") has 200 revisions. The rows are bulk-written (COPY on PostgreSQL);
publications are frozen with the application's own ``encyclopedia.snapshot.freeze`` and
the search index is built with ``encyclopedia.search.rebuild()``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time
from pathlib import Path

from bench import common

HISTORY_VERSIONS = 200
CHUNK = 200
# The workflow of one article, as 20 revisions: (action, comment, who, epoch of the content).
CYCLE = (
    [("publish", "Imported from the legacy site", None, 0)]
    + [("edit", "Changed summary and sections.", "editor", 0)] * 4
    + [
        ("submit", "Submitted for medical review", "editor", 0),
        ("request_changes", "Changes requested: please update the treatment section", "reviewer", 0),
        ("edit", "Changed sections.", "editor", 1),
        ("submit", "Submitted for medical review", "editor", 1),
        ("approve", "Approved and published", "reviewer", 1),
    ]
    + [("edit", "Changed sections.", "editor", 2)] * 6
    + [
        ("submit", "Submitted for medical review", "editor", 2),
        ("approve", "Approved and published", "reviewer", 2),
        ("edit", "Changed summary.", "editor", 3),
        ("publish_correction", "Minor correction: fixed a typo", "director", 3),
    ]
)
assert len(CYCLE) == 20
FREEZES = {"publish": 0, "approve": None, "publish_correction": None}


def create_database(db: str) -> None:
    if db == "sqlite":
        path = common.sqlite_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(common.PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {common.PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {common.PG_DB}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgresql"], required=True)
    parser.add_argument("--articles", type=int, default=common.default_articles())
    args = parser.parse_args()
    common.setup_env(args.db)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    create_database(args.db)

    import django

    django.setup()
    from django.core.management import call_command

    t = time.perf_counter()
    call_command("collectstatic", interactive=False, verbosity=0)  # as `make serve` does
    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0)
    timings["migrate_and_site_data_s"] = time.perf_counter() - t
    generator = Generator(args.articles)
    generator.run(timings)
    timings["total_s"] = time.perf_counter() - started
    out = common.out_dir(args.db) / "generate.json"
    out.write_text(
        json.dumps({"articles": args.articles, "timings": timings, "counts": generator.counts()}, indent=2)
    )
    print(f"[generate {args.db}] {args.articles} articles in {timings['total_s']:.0f} s", file=sys.stderr)


class Generator:
    def __init__(self, articles: int):
        from django.db import connection

        self.n = articles
        self.connection = connection
        self.vendor = connection.vendor

    # ------------------------------------------------------------------ helpers

    def next_id(self, model) -> int:
        from django.db.models import Max

        return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1

    def dt(self, value: datetime.datetime):
        if self.vendor == "sqlite":
            return self.connection.ops.adapt_datetimefield_value(value)
        return value

    def insert(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        with self.connection.cursor() as cursor:
            if self.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def counts(self) -> dict[str, int]:
        from django.contrib.auth import get_user_model
        from reversion.models import Revision, Version

        from editorial.models import AuditEvent, ReviewRecord
        from encyclopedia import models as m

        return {
            "articles": m.Article.objects.count(),
            "live_articles": m.Article.objects.filter(live_publication__isnull=False).count(),
            "sections": m.Section.objects.count(),
            "alternative_names": m.AlternativeName.objects.count(),
            "citations": m.Citation.objects.count(),
            "article_citations": m.ArticleCitation.objects.count(),
            "publications": m.Publication.objects.count(),
            "cross_references": m.CrossReference.objects.count(),
            "revisions": Revision.objects.count(),
            "versions": Version.objects.count(),
            "audit_events": AuditEvent.objects.count(),
            "review_records": ReviewRecord.objects.count(),
            "search_entries": m.SearchEntry.objects.count(),
            "index_entries": m.IndexEntry.objects.count(),
            "users": get_user_model().objects.count(),
        }

    # ------------------------------------------------------------------ the data set

    def run(self, timings: dict[str, float]) -> None:
        from django.db import transaction

        t = time.perf_counter()
        if self.vendor == "sqlite":  # this connection only: the data set is thrown away on failure
            with self.connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous=OFF")
        with transaction.atomic():
            self.base_data()
        timings["base_data_s"] = time.perf_counter() - t

        t = time.perf_counter()
        self.prepare_ids()
        titles = self.titles
        for start in range(1, self.n + 1, CHUNK):
            with transaction.atomic():
                self.chunk(range(start, min(start + CHUNK, self.n + 1)), titles)
            done = min(start + CHUNK - 1, self.n)
            if done % 2000 < CHUNK or done == self.n:
                print(f"  {done}/{self.n} articles, {time.perf_counter() - t:.0f} s", file=sys.stderr)
        timings["articles_s"] = time.perf_counter() - t

        t = time.perf_counter()
        self.reset_sequences()
        from encyclopedia import search

        with transaction.atomic():
            search.rebuild()
        timings["search_rebuild_s"] = time.perf_counter() - t

        t = time.perf_counter()
        with self.connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute("ANALYZE")
        timings["analyze_s"] = time.perf_counter() - t

    def base_data(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group
        from django.contrib.contenttypes.models import ContentType

        from bench import content
        from editorial import roles
        from encyclopedia import models as m

        User = get_user_model()
        password = common.BENCH_PASSWORD
        self.users = {
            "admin": User.objects.create_superuser("bench-admin", "bench-admin@example.org", password),
            "editor": User.objects.create_user(
                "bench-editor", "bench-editor@example.org", password, is_staff=True
            ),
            "reviewer": User.objects.create_user(
                "bench-reviewer", "bench-reviewer@example.org", password, is_staff=True
            ),
            "director": User.objects.create_user(
                "bench-director", "bench-director@example.org", password, is_staff=True
            ),
        }
        self.users["editor"].groups.add(Group.objects.get(name=roles.EDITORS))
        self.users["reviewer"].groups.add(Group.objects.get(name=roles.MEDICAL_REVIEWERS))
        self.users["director"].groups.add(Group.objects.get(name=roles.EDITORIAL_DIRECTORS))
        self.reviewers = [m.Reviewer.objects.create(**row) for row in content.reviewer_rows()]
        self.reviewers[0].user = self.users["reviewer"]
        self.reviewers[0].save(update_fields=["user"])
        self.organization = m.ReviewOrganization.objects.order_by("pk").first()
        pool = max(200, self.n // 5)
        first = self.next_id(m.Citation)
        m.Citation.objects.bulk_create(
            [m.Citation(id=first + i, **row) for i, row in enumerate(content.citation_rows(pool))],
            batch_size=500,
        )
        self.citations = list(m.Citation.objects.filter(pk__gte=first).order_by("pk"))
        self.citation_repr = {c.pk: str(c) for c in self.citations}
        self.headings = {h.name: h for h in m.SectionHeading.objects.all()}
        self.ct = {
            model: ContentType.objects.get_for_model(model).pk
            for model in (m.Article, m.Section, m.AlternativeName, m.ArticleCitation)
        }

    def prepare_ids(self) -> None:
        from django.contrib.auth import get_user_model
        from reversion.models import Revision

        from bench import content
        from editorial.models import AuditEvent, ReviewRecord
        from encyclopedia import models as m

        self.titles = content.all_titles()
        if len(self.titles) < self.n:
            raise SystemExit(f"The generator makes at most {len(self.titles)} distinct titles.")
        self.ids = {
            model: self.next_id(model)
            for model in (
                m.Article,
                m.Section,
                m.AlternativeName,
                m.ArticleCitation,
                m.Publication,
                m.CrossReference,
                Revision,
                AuditEvent,
                ReviewRecord,
            )
        }
        self.user_ids = {key: user.pk for key, user in self.users.items()}
        self.user_ids[None] = None
        self.now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
        self.history_index = min(100, self.n)  # the article with 200 versions: 000100
        del get_user_model

    def take(self, model, count: int = 1) -> int:
        first = self.ids[model]
        self.ids[model] += count
        return first

    def chunk(self, indexes: range, titles) -> None:  # noqa: C901 - one pass over a chunk, kept linear
        import random

        from django.core import serializers
        from django.core.serializers.json import DjangoJSONEncoder
        from django.utils.text import slugify
        from reversion.models import Revision
        from reversion.revisions import _get_options

        from bench import content
        from editorial.models import AuditEvent, ReviewRecord
        from encyclopedia import markup, reviews
        from encyclopedia import models as m
        from encyclopedia.snapshot import freeze

        articles, sections, names, links, issued = [], [], [], [], []
        plans = {}
        for index in indexes:
            rng = random.Random(index)
            title, kind, alternatives = titles[index - 1]
            targets = [f"{rng.randint(1, self.n):06d}" for _ in range(2)]
            targets = [t for t in targets if t != f"{index:06d}"]
            text = content.article_text(index, title, kind, alternatives, targets)
            review_date = (self.now - datetime.timedelta(days=rng.randint(3, 1250))).date()
            reviewer = self.reviewers[rng.randrange(len(self.reviewers))]
            article_id = self.take(m.Article)
            publication_ids = [self.take(m.Publication) for _ in range(4)]
            article = m.Article(
                id=article_id,
                public_id=f"{index:06d}",
                title=title,
                slug=slugify(title)[:200],
                article_type=kind,
                summary=text.summary,
                review_date=review_date,
                reviewer=reviewer,
                review_organization=self.organization,
                specialty=reviewer.specialty,
                next_review_due=reviews.next_review_due(review_date, kind),
                state=m.WorkflowState.PUBLISHED,
                live_publication_id=publication_ids[-1],
            )
            articles.append(article)
            issued.append(m.IssuedArticleId(value=article.public_id))
            rows = {"sections": [], "names": [], "links": []}
            for position, (heading, body) in enumerate(text.sections, start=1):
                section = m.Section(
                    id=self.take(m.Section),
                    article_id=article_id,
                    position=position,
                    heading=self.headings[heading],
                    body=body,
                )
                rows["sections"].append(section)
            for position, name in enumerate(text.alternative_names, start=1):
                rows["names"].append(
                    m.AlternativeName(
                        id=self.take(m.AlternativeName),
                        article_id=article_id,
                        name=name[:200],
                        position=position,
                    )
                )
            for position, citation in enumerate(rng.sample(self.citations, 4), start=1):
                rows["links"].append(
                    m.ArticleCitation(
                        id=self.take(m.ArticleCitation),
                        article_id=article_id,
                        citation=citation,
                        position=position,
                    )
                )
            sections += rows["sections"]
            names += rows["names"]
            links += rows["links"]
            plans[article_id] = (article, rows, rng, publication_ids, text)
        m.IssuedArticleId.objects.bulk_create(issued)
        m.Article.objects.bulk_create(articles)
        m.Section.objects.bulk_create(sections)
        m.AlternativeName.objects.bulk_create(names)
        m.ArticleCitation.objects.bulk_create(links)

        article_fields = _get_options(m.Article).fields
        publications, crossrefs, records = [], [], []
        revision_rows, version_rows, audit_rows = [], [], []
        encoder = DjangoJSONEncoder
        for article_id, (article, rows, rng, publication_ids, _text) in plans.items():
            frozen = freeze(article)
            # The content at each epoch: older ones had one more sentence in the summary and
            # one more paragraph in the first section.
            extra = [content.sentence(rng, article.title.lower()) for _ in range(3)]
            summaries = [
                f"{article.summary} {extra[0]}",
                f"{article.summary} {extra[1]}",
                article.summary,
                article.summary,
            ]
            first_bodies = [
                f"{rows['sections'][0].body}\n\n{extra[2]}",
                rows["sections"][0].body,
                rows["sections"][0].body,
                rows["sections"][0].body,
            ]
            serial = {
                "article": json.loads(serializers.serialize("json", [article], fields=article_fields)),
                "sections": [serializers.serialize("json", [s]) for s in rows["sections"]],
                "section0": json.loads(serializers.serialize("json", [rows["sections"][0]])),
                "names": [serializers.serialize("json", [n]) for n in rows["names"]],
                "links": [serializers.serialize("json", [x]) for x in rows["links"]],
            }
            by_epoch = []
            for epoch in range(4):
                a = serial["article"]
                a[0]["fields"]["summary"] = summaries[epoch]
                s0 = serial["section0"]
                s0[0]["fields"]["body"] = first_bodies[epoch]
                by_epoch.append(
                    (
                        json.dumps(a, cls=encoder, ensure_ascii=False),
                        json.dumps(s0, cls=encoder, ensure_ascii=False),
                    )
                )
            article_repr = str(article)
            section_reprs = [s.heading.name for s in rows["sections"]]

            cycles = HISTORY_VERSIONS // len(CYCLE) if article.public_id == f"{self.history_index:06d}" else 1
            total = cycles * len(CYCLE)
            final_approval = datetime.datetime.combine(article.review_date, datetime.time(15), datetime.UTC)
            span = datetime.timedelta(days=365 * 3 * cycles)
            step = span / total
            revision_ids: list[int] = []
            when: list[datetime.datetime] = []
            for number in range(total):
                position = number % len(CYCLE)
                if number >= total - 3:  # the last approval, then an edit and a correction
                    moment = final_approval + datetime.timedelta(days=number - (total - 3))
                else:
                    moment = final_approval - span + step * number
                moment = min(moment, self.now - datetime.timedelta(hours=total - number))
                when.append(moment)
                revision_ids.append(self.take(Revision))
            # Publications: the import, the first approval, the last approval, the correction.
            freeze_positions = [0, 9, 17, 19]
            freeze_numbers = [(cycles - 1) * len(CYCLE) + p for p in freeze_positions]
            review_dates = [
                (when[freeze_numbers[0]]).date(),
                (when[freeze_numbers[1]]).date(),
                article.review_date,
                article.review_date,
            ]
            for k, publication_id in enumerate(publication_ids):
                epoch = CYCLE[freeze_positions[k]][3]
                fields = dict(frozen)
                if epoch < 2:
                    fields["summary_html"] = markup.render(summaries[epoch]).html
                    fields["sections"] = [dict(s) for s in frozen["sections"]]
                    fields["sections"][0]["html"] = markup.render(first_bodies[epoch]).html
                fields["review_date"] = review_dates[k]
                publications.append(
                    m.Publication(
                        id=publication_id,
                        article_id=article_id,
                        published_at=when[freeze_numbers[k]],
                        published_by_id=self.user_ids[CYCLE[freeze_positions[k]][2]],
                        revision_id=revision_ids[freeze_numbers[k]],
                        **fields,
                    )
                )
                for target in fields["linked_article_ids"]:
                    crossrefs.append(
                        m.CrossReference(
                            id=self.take(m.CrossReference),
                            publication_id=publication_id,
                            target_public_id=target,
                        )
                    )
            for k, (outcome, number) in enumerate(
                [("approved", 0), ("changes_requested", 6), ("approved", 9), ("approved", 17)]
            ):
                number += (cycles - 1) * len(CYCLE)
                records.append(
                    ReviewRecord(
                        id=self.take(ReviewRecord),
                        article_id=article_id,
                        reviewer_id=article.reviewer_id,
                        user_id=None if k == 0 else self.user_ids["reviewer"],
                        reviewed_on=when[number].date() if k < 3 else article.review_date,
                        outcome=outcome,
                        notes="As stated on the imported page." if k == 0 else "",
                        publication_id={
                            0: publication_ids[0],
                            2: publication_ids[1],
                            3: publication_ids[2],
                        }.get(k),
                    )
                )
            state = "published"
            for number in range(total):
                action, comment, who, epoch = CYCLE[number % len(CYCLE)]
                if number < (cycles - 1) * len(CYCLE) and action == "publish":
                    action, comment, who = "edit", "Changed summary and sections.", "editor"
                revision_rows.append(
                    (revision_ids[number], self.dt(when[number]), self.user_ids[who], comment)
                )
                article_data, section0 = by_epoch[epoch]
                revision = revision_ids[number]
                version_rows.append(
                    (
                        revision,
                        str(article_id),
                        self.ct[m.Article],
                        "default",
                        "json",
                        article_data,
                        article_repr,
                    )
                )
                for j, section in enumerate(rows["sections"]):
                    data = section0 if j == 0 else serial["sections"][j]
                    version_rows.append(
                        (
                            revision,
                            str(section.pk),
                            self.ct[m.Section],
                            "default",
                            "json",
                            data,
                            section_reprs[j],
                        )
                    )
                for name, data in zip(rows["names"], serial["names"], strict=False):
                    version_rows.append(
                        (
                            revision,
                            str(name.pk),
                            self.ct[m.AlternativeName],
                            "default",
                            "json",
                            data,
                            name.name,
                        )
                    )
                for link, data in zip(rows["links"], serial["links"], strict=False):
                    version_rows.append(
                        (
                            revision,
                            str(link.pk),
                            self.ct[m.ArticleCitation],
                            "default",
                            "json",
                            data,
                            self.citation_repr[link.citation_id][:120],
                        )
                    )
                new_state = {
                    "edit": "draft",
                    "submit": "in_review",
                    "request_changes": "changes_requested",
                    "approve": "published",
                    "publish": "published",
                    "publish_correction": "published",
                }[action]
                data = {}
                if action in FREEZES and number in freeze_numbers:
                    data = {"publication": publication_ids[freeze_numbers.index(number)]}
                audit_rows.append(
                    (
                        article_id,
                        article.public_id,
                        action,
                        "" if number == 0 else state,
                        new_state,
                        self.user_ids[who],
                        self.dt(when[number]),
                        comment,
                        json.dumps(data),
                    )
                )
                state = new_state

        m.Publication.objects.bulk_create(publications, batch_size=100)
        m.CrossReference.objects.bulk_create(crossrefs, batch_size=1000)
        ReviewRecord.objects.bulk_create(records, batch_size=1000)
        self.insert(Revision._meta.db_table, ["id", "date_created", "user_id", "comment"], revision_rows)
        self.insert(
            "reversion_version",
            ["revision_id", "object_id", "content_type_id", "db", "format", "serialized_data", "object_repr"],
            version_rows,
        )
        self.insert(
            AuditEvent._meta.db_table,
            [
                "article_id",
                "article_public_id",
                "action",
                "from_state",
                "to_state",
                "user_id",
                "at",
                "comment",
                "data",
            ],
            audit_rows,
        )

    def reset_sequences(self) -> None:
        if self.vendor != "postgresql":
            return
        from django.apps import apps
        from django.core.management.color import no_style

        models = [
            model
            for app in ("auth", "encyclopedia", "editorial", "reversion")
            for model in apps.get_app_config(app).get_models()
        ]
        with self.connection.cursor() as cursor:
            for sql in self.connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    main()
