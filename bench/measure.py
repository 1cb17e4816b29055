"""In-process measurements with the Django test client, on the generated database.

    python -m bench.measure --db sqlite|postgresql

Reads first (public pages uncached and cached, the admin), then writes (approving
articles, importing 1,000 generated pages through the import command). The page cache is
bypassed the way the application defines it: a request carrying a ``sessionid`` cookie
is never served from, nor stored in, the shared page cache. A target missed here is
profiled with pyinstrument. Results go to bench/out/<db>/measure.json.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

from bench import common
from bench.machine_load import ForeignCpu
from bench.profiling import pyinstrument_profile, summarize, timed

APPROVALS = 20
IMPORTS = 1000


def log(message: str) -> None:
    print(f"  [measure] {message}", file=sys.stderr, flush=True)


class Bench:
    def __init__(self, db: str):
        from django.contrib.auth import get_user_model
        from django.db import connection
        from django.test import Client

        from encyclopedia.models import Article

        self.db = db
        self.connection = connection
        User = get_user_model()
        self.users = {
            name: User.objects.get(username=f"bench-{name}")
            for name in ("admin", "editor", "reviewer", "director")
        }
        self.anonymous = Client()
        self.uncached = Client()
        self.uncached.cookies["sessionid"] = "bench-not-a-session"  # skips the shared page cache
        self.admin = Client()
        self.admin.force_login(self.users["admin"])
        ids = list(
            Article.objects.filter(live_publication__isnull=False, public_id__lt="900000")
            .order_by("public_id")
            .values_list("public_id", flat=True)
        )
        self.n = len(ids)
        rng = random.Random(6)
        rng.shuffle(ids)
        self.sample = ids[: common.SAMPLE_ARTICLES]
        self.approve_ids = ids[common.SAMPLE_ARTICLES : common.SAMPLE_ARTICLES + APPROVALS + 10]
        self.diff_id = ids[common.SAMPLE_ARTICLES + APPROVALS + 10]
        self.results: dict = {"articles": self.n}
        self.scenarios: dict = {}
        self.scenarios_repeat: dict = {}

    # ------------------------------------------------------------------ helpers

    def get(self, client, path: str, expect=(200,)):
        response = client.get(path, secure=True)
        if response.status_code not in expect:
            raise RuntimeError(f"GET {path}: {response.status_code}")
        return response

    def queries(self, client, path: str, expect=(200,)) -> int:
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(self.connection) as captured:
            self.get(client, path, expect)
        return len(captured.captured_queries)

    def page(
        self, name: str, path: str, uncached_repeat: int = 20, cached_repeat: int = 50, expect=(200,)
    ) -> dict:
        """Uncached (sessionid cookie) and cached (anonymous, after one fill) timings of one URL."""
        from django.core.cache import cache

        cache.clear()
        self.get(self.uncached, f"/ency/article/{self.diff_id}.htm", expect)  # site data cached
        body = self.get(self.anonymous, path, expect).content
        out = {
            "path": path,
            "size_bytes": len(body),
            "queries_uncached": self.queries(self.uncached, path, expect),
            "queries_cached": self.queries(self.anonymous, path, expect),
            "uncached": summarize(timed(lambda: self.get(self.uncached, path, expect), uncached_repeat)),
            "cached": summarize(timed(lambda: self.get(self.anonymous, path, expect), cached_repeat)),
        }
        self.scenarios[name] = lambda: self.get(self.uncached, path, expect)
        log(
            f"{name}: uncached p95 {out['uncached']['p95_ms']} ms, {out['queries_uncached']} queries; "
            f"cached p95 {out['cached']['p95_ms']} ms"
        )
        return out

    def admin_page(self, name: str, path: str, repeat: int = 10) -> dict:
        response = self.get(self.admin, path)
        out = {
            "path": path,
            "size_bytes": len(response.content),
            "rows": len(re.findall(rb'name="_selected_action"', response.content)),
            "queries": self.queries(self.admin, path),
            **summarize(timed(lambda: self.get(self.admin, path), repeat)),
        }
        self.scenarios[name] = lambda: self.get(self.admin, path)
        log(f"{name}: p95 {out['p95_ms']} ms, {out['queries']} queries, {out['size_bytes']} bytes")
        return out

    # ------------------------------------------------------------------ public pages

    def article(self) -> None:
        """The article page. The cache is cleared between phases so that no phase culls another's
        entries (the local-memory cache keeps at most 1,000 entries per process)."""
        from django.core.cache import cache
        from django.test.utils import CaptureQueriesContext

        paths = [f"/ency/article/{pid}.htm" for pid in self.sample]
        hot = paths[: common.HOT_ARTICLES]

        def timed_pass(client, pass_paths, counter=None):
            samples = []
            for path in pass_paths:
                with CaptureQueriesContext(self.connection) as captured:
                    started = time.perf_counter()
                    self.get(client, path)
                    samples.append(time.perf_counter() - started)
                if counter is not None:
                    counter[len(captured.captured_queries)] += 1
            return samples

        cache.clear()
        self.get(self.uncached, f"/ency/article/{self.diff_id}.htm")  # site data cached, as always in service
        first_queries, repeat_queries, miss_queries, hit_queries = Counter(), Counter(), Counter(), Counter()
        first = timed_pass(self.uncached, paths, first_queries)  # nothing of the article cached yet
        repeat = timed_pass(self.uncached, paths, repeat_queries)
        cache.clear()
        self.get(self.uncached, f"/ency/article/{self.diff_id}.htm")
        timed_pass(self.uncached, hot)  # the article's data cached, page not: an anonymous page-cache miss
        anonymous_miss = timed_pass(self.anonymous, hot, miss_queries)
        cached = timed_pass(self.anonymous, hot * 3, hit_queries)
        sizes = sorted(len(self.get(self.anonymous, path).content) for path in hot[:20])
        self.results["article"] = {
            "sample_articles": len(paths),
            "hot_articles": len(hot),
            "size_bytes_median": sizes[len(sizes) // 2],
            "queries_uncached_first": max(first_queries),
            "queries_uncached_cookie": max(repeat_queries),
            "queries_uncached_anonymous": max(miss_queries),
            "queries_cached": max(hit_queries),
            "query_distributions": {
                "first": dict(first_queries),
                "repeat": dict(repeat_queries),
                "anonymous_miss": dict(miss_queries),
                "cached": dict(hit_queries),
            },
            "uncached_first": summarize(first),
            "uncached": summarize(repeat),
            "anonymous_miss": summarize(anonymous_miss),
            "cached": summarize(cached),
        }
        cycle = iter(paths * 100)
        self.scenarios["article_uncached"] = lambda: self.get(self.uncached, next(cycle))
        self.scenarios["article_cached"] = lambda: self.get(self.anonymous, hot[0])
        a = self.results["article"]
        log(
            f"article: uncached p95 {a['uncached']['p95_ms']} ms ({a['queries_uncached_cookie']} queries, "
            f"first view {a['queries_uncached_first']}), cached p95 {a['cached']['p95_ms']} ms "
            f"({a['queries_cached']} queries)"
        )

    def letter(self) -> None:
        from django.db.models import Count

        from encyclopedia.models import IndexEntry

        counts = list(
            IndexEntry.objects.values("letter").annotate(n=Count("pk")).order_by("-n", "letter")[:1]
        )
        letter, entries = counts[0]["letter"], counts[0]["n"]
        out = self.page("letter", f"/ency/encyclopedia_{letter}.htm", uncached_repeat=20, cached_repeat=50)
        out.update(letter=letter, entries=entries)
        self.results["letter"] = out

    def search(self) -> None:
        from bench.content import SEARCH_QUERIES
        from encyclopedia import search as search_module

        per_query, everything = {}, []
        for query in SEARCH_QUERIES:
            path = "/ency/search/?" + _urlencode({"q": query})
            response = self.get(self.uncached, path, expect=(200, 302))
            samples = timed(lambda path=path: self.get(self.uncached, path, expect=(200, 302)), 10, warmup=1)
            everything += samples
            per_query[query] = {
                "status": response.status_code,
                "results": search_module.search(query).total,
                "queries": self.queries(self.uncached, path, expect=(200, 302)),
                **summarize(samples),
            }
        self.results["search"] = {"queries": per_query, "all": summarize(everything)}
        cycle = iter(SEARCH_QUERIES * 50)
        self.scenarios["search"] = lambda: self.get(
            self.uncached, "/ency/search/?" + _urlencode({"q": next(cycle)}), expect=(200, 302)
        )
        log(f"search: p95 {self.results['search']['all']['p95_ms']} ms")

    def machine_readable(self) -> None:
        self.results["sitemap"] = self.page("sitemap", "/sitemap.xml", uncached_repeat=5, cached_repeat=20)
        self.results["feed"] = self.page("feed", "/ency/feed/", uncached_repeat=20, cached_repeat=50)
        self.results["api_list"] = self.page(
            "api_list", "/api/v1/articles/", uncached_repeat=20, cached_repeat=50
        )
        last = max(1, -(-self.n // 50))
        self.results["api_list_last_page"] = self.page(
            "api_list_last_page", f"/api/v1/articles/?page={last}", uncached_repeat=10, cached_repeat=20
        )

    # ------------------------------------------------------------------ the admin

    def admin_pages(self) -> None:
        from reversion.models import Version

        from encyclopedia.models import Article

        out = {}
        out["changelist"] = self.admin_page("admin_changelist", "/admin/encyclopedia/article/")
        out["changelist_filtered"] = self.admin_page(
            "admin_changelist_filtered",
            "/admin/encyclopedia/article/?status=live&article_type__exact=disease&review=overdue&o=1",
        )
        reviewer = self.users["reviewer"].reviewer_profile
        out["changelist_few"] = self.admin_page(
            "admin_changelist_few",
            f"/admin/encyclopedia/article/?reviewer__id__exact={reviewer.pk}&article_type__exact=nutrition",
        )
        out["changelist_search"] = self.admin_page(
            "admin_changelist_search", "/admin/encyclopedia/article/?q=asthma"
        )
        history = Article.objects.get(public_id="000100")
        out["history"] = self.admin_page(
            "admin_history", f"/admin/encyclopedia/article/{history.pk}/history/"
        )
        out["history"]["versions"] = Version.objects.get_for_object(history).count()
        versions = list(Version.objects.get_for_object(history).values_list("pk", flat=True))
        out["compare"] = self.admin_page(
            "admin_compare",
            f"/admin/encyclopedia/article/{history.pk}/compare/?old={versions[-1]}&new={versions[0]}",
        )
        diff_article = self.make_draft(self.diff_id)
        out["diff"] = self.admin_page("admin_diff", f"/admin/encyclopedia/article/{diff_article.pk}/changes/")
        out["change_form"] = self.admin_page(
            "admin_change_form", f"/admin/encyclopedia/article/{diff_article.pk}/change/", repeat=5
        )
        out["dashboard"] = self.admin_page("admin_dashboard", "/admin/")
        self.results["admin"] = out

    # ------------------------------------------------------------------ writes

    def make_draft(self, public_id: str):
        """What an editor's save in the admin does: a new revision of the working copy, audited."""
        import reversion
        from django.db import transaction

        from editorial.actions.edit import check_editable, record_edit
        from encyclopedia.models import Article, WorkflowState

        editor = self.users["editor"]
        article = Article.objects.get(public_id=public_id)
        with transaction.atomic():
            locked = check_editable(article, editor, None)
            previous = locked.state
            with reversion.create_revision():
                section = locked.sections.order_by("position").first()
                section.body += "\n\nA sentence the editor added for the benchmark's draft."
                section.save()
                locked.summary += " An updated sentence."
                locked.save()
                reversion.set_user(editor)
                reversion.set_comment("Changed summary and sections.")
            record_edit(locked, editor, previous or WorkflowState.PUBLISHED, "Edited: summary, sections")
        return locked

    def approvals(self) -> None:
        from django.test.utils import CaptureQueriesContext

        from editorial.actions.approve import approve
        from editorial.actions.submit import submit
        from encyclopedia.models import Article

        editor, reviewer = self.users["editor"], self.users["reviewer"]
        prepared = []
        submit_times, approve_times, approve_queries = [], [], []
        for public_id in self.approve_ids[:APPROVALS]:
            self.make_draft(public_id)
            article = Article.objects.get(public_id=public_id)
            started = time.perf_counter()
            submit(article, editor, note="Please review.")
            submit_times.append(time.perf_counter() - started)
            prepared.append(Article.objects.get(public_id=public_id))
        for article in prepared:
            with CaptureQueriesContext(self.connection) as captured:
                started = time.perf_counter()
                approve(article, reviewer, notes="Checked.")
                approve_times.append(time.perf_counter() - started)
            approve_queries.append(len(captured.captured_queries))
        self.results.setdefault("writes", {})["approve"] = {
            **summarize(approve_times),
            "queries": max(approve_queries),
            "submit": summarize(submit_times),
        }
        spare = []
        for public_id in self.approve_ids[APPROVALS:]:
            self.make_draft(public_id)
            submit(Article.objects.get(public_id=public_id), editor)
            spare.append(Article.objects.get(public_id=public_id))
        self.scenarios["approve"] = lambda: approve(spare.pop(), reviewer) if spare else None
        self.scenarios_repeat["approve"] = len(spare)
        log(f"approve: p95 {self.results['writes']['approve']['p95_ms']} ms, {max(approve_queries)} queries")

    def import_files(self, count: int, offset: int) -> list[Path]:
        from bench import content
        from editorial.importer.parser import ParseError, parse_citation
        from encyclopedia import credits, references
        from encyclopedia.models import Citation, Reviewer, ReviewOrganization

        folder = common.WORKDIR / f"import-{self.db}"
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.md"):
            old.unlink()
        titles = content.all_titles()
        pool = []
        for citation in Citation.objects.order_by("pk")[:400]:
            text = references.render_text(citation)
            try:
                parse_citation(text)
            except ParseError:
                continue
            pool.append(text)
        reviewers = list(Reviewer.objects.order_by("pk")[:40])
        organization = ReviewOrganization.objects.order_by("pk").first()
        paths = []
        for k in range(count):
            index = self.n + offset + k + 1
            title, kind, names = titles[index - 1]
            text = content.article_text(index, title, kind, names, [])
            rng = random.Random(index)
            reviewer = reviewers[k % len(reviewers)]
            lines = [f"# {text.title}", "", text.summary, ""]
            for heading, body in text.sections:
                lines += [f"## {heading}", "", body, ""]
            lines += ["## Alternative Names", "", "; ".join(text.alternative_names), "", "## References", ""]
            lines += [f"- {ref}" for ref in rng.sample(pool, 4)]
            day = f"{rng.randint(1, 12)}/{rng.randint(1, 28)}/{rng.randint(2023, 2025)}"
            credit = credits.reviewer_credit(
                name=reviewer.name,
                credentials=reviewer.credentials,
                title=reviewer.title,
                department=reviewer.department,
                institution=reviewer.institution,
                city=reviewer.city,
                state=reviewer.state,
            )
            lines += [
                "",
                f"Review Date {day}",
                "",
                f"Updated by: {credit}. Review provided by {organization.name}.",
                "",
            ]
            path = folder / f"{index:06d}.md"
            path.write_text("\n".join(lines), encoding="utf-8")
            paths.append(path)
        return paths

    def run_import(self, paths: list[Path]) -> tuple[float, str]:
        from django.core.management import call_command

        stdout, stderr = io.StringIO(), io.StringIO()
        started = time.perf_counter()
        with contextlib.suppress(SystemExit):
            call_command("import_articles", *[str(p) for p in paths], stdout=stdout, stderr=stderr)
        elapsed = time.perf_counter() - started
        summary = stdout.getvalue().strip().splitlines()[-1] if stdout.getvalue().strip() else ""
        if stderr.getvalue().strip():
            log("import errors: " + stderr.getvalue().strip().splitlines()[0])
        return elapsed, summary

    def imports(self) -> None:
        from encyclopedia.models import Article

        paths = self.import_files(IMPORTS, 0)
        before = Article.objects.count()
        elapsed, summary = self.run_import(paths)
        imported = Article.objects.count() - before
        self.results.setdefault("writes", {})["import"] = {
            "files": len(paths),
            "imported": imported,
            "seconds": round(elapsed, 2),
            "articles_per_s": round(imported / elapsed, 1) if elapsed else None,
            "ms_per_article": round(elapsed * 1000 / max(imported, 1), 1),
            "summary": summary,
        }
        extra = self.import_files(50, IMPORTS)
        self.scenarios["import"] = lambda: self.run_import(extra)
        self.scenarios_repeat["import"] = 1
        log(f"import: {imported} articles in {elapsed:.1f} s ({imported / elapsed:.1f}/s)")


def _have(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def _urlencode(params: dict) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


PROFILE_REPEAT = {
    "article_uncached": 100,
    "article_cached": 500,
    "search": 30,
    "letter": 10,
    "admin_changelist": 10,
    "admin_history": 10,
    "approve": 8,
    "import": 1,
}
NO_WARMUP = {"approve", "import"}  # each call consumes prepared work


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgresql"], required=True)
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args()
    common.setup_env(args.db)
    import django

    django.setup()
    from bench.targets import evaluate

    started = time.perf_counter()
    bench = Bench(args.db)
    tracker = ForeignCpu()
    tracker.start()
    foreign = {}
    for section in ("article", "letter", "search", "machine_readable", "admin_pages", "approvals", "imports"):
        tracker.wait_quiet(limit=30)
        tracker.mark()
        getattr(bench, section)()
        foreign[section] = tracker.window()
    tracker.stop()
    results = bench.results
    results["foreign_cores"] = foreign
    results["profiles"] = {}
    load_file = common.out_dir(args.db) / "load.json"
    http = json.loads(load_file.read_text()) if load_file.exists() else {}
    if not args.no_profile and _have("pyinstrument"):
        for target, _value, met in evaluate({**results, "http": http}):
            name = target.profile.removeprefix("http:")
            if met is False and name in bench.scenarios and name not in results["profiles"]:
                repeat = bench.scenarios_repeat.get(name, PROFILE_REPEAT.get(name, 10))
                log(f"profiling {name} in-process ({target.key} missed)")
                results["profiles"][name] = pyinstrument_profile(
                    bench.scenarios[name],
                    repeat,
                    f"{args.db}-{name}",
                    common.out_dir(args.db),
                    warmup=0 if name in NO_WARMUP else 1,
                )
    results["seconds"] = round(time.perf_counter() - started, 1)
    (common.out_dir(args.db) / "measure.json").write_text(json.dumps(results, indent=2, default=str))
    log(f"done in {results['seconds']} s")


if __name__ == "__main__":
    main()
