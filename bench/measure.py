"""In-process timings with the Django test client on the generated database (BENCHMARKS.md's public,
search, admin and writes tables).

    python -m bench.measure --db sqlite|postgresql

"Uncached" requests carry a ``sessionid`` cookie, which the application never serves from nor stores
in the page cache. A target missed here is profiled with pyinstrument. Results go to
bench/out/<db>/measure.json.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import json
import random
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

from bench import common, content
from bench.common import summarize, timed
from bench.generate import HISTORY_ARTICLE, PageWriter, edit
from bench.machine_load import ForeignCpu
from bench.report import missed

APPROVALS, IMPORTS, INFOBUTTON = 20, 1000, 120  # INFOBUTTON: requests of each kind
PARTS = (
    "article",
    "letter",
    "search",
    "infobutton",
    "machine_readable",
    "admin_pages",
    "approvals",
    "imports",
)
# Calls per pyinstrument profile of a missed target; approve and import consume prepared work.
PROFILE_REPEAT = {"article_uncached": 100, "article_cached": 500, "search": 30, "approve": 8, "import": 1}


def log(message: str) -> None:
    common.log("measure", message)


def search_path(query: str) -> str:
    return "/ency/search/?" + urlencode({"q": query})


class Bench:
    def __init__(self, db: str):
        from django.contrib.auth import get_user_model
        from django.test import Client

        User, self.db = get_user_model(), db
        self.users = {n: User.objects.get(username=f"bench-{n}") for n in ("admin", "editor", "reviewer")}
        # The address the load runs use, which render_pages stored the pages for (bench.generate).
        host = f"127.0.0.1:{common.PORT}"
        self.anonymous, self.uncached, self.admin = (Client(HTTP_HOST=host) for _ in range(3))
        self.uncached.cookies["sessionid"] = common.SESSION_COOKIE.split("=", 1)[1]
        self.admin.force_login(self.users["admin"])
        ids = common.live_ids()
        self.n, sample = len(ids), common.SAMPLE_ARTICLES
        random.Random(6).shuffle(ids)
        self.sample, self.approve_ids = ids[:sample], ids[sample : sample + APPROVALS + 10]
        self.diff_id = ids[sample + APPROVALS + 10]
        self.results: dict = {"articles": self.n}
        self.scenarios: dict[str, Callable[[], object]] = {}  # what a missed target's profile repeats
        self.repeat: dict[str, int] = dict(PROFILE_REPEAT)

    def get(self, client, path: str, expect=(200,)):
        response = client.get(path, secure=True)
        if response.status_code not in expect:
            raise RuntimeError(f"GET {path}: {response.status_code}")
        return response

    def queries(self, client, path: str, expect=(200,)) -> tuple[int, float]:
        """The SQL queries of one request, and its seconds."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            self.get(client, path, expect)
            elapsed = time.perf_counter() - started
        return len(captured.captured_queries), elapsed

    def fresh_cache(self) -> None:
        """An empty cache but the site data (footer, headings), as always in service."""
        from django.core.cache import cache

        cache.clear()
        self.get(self.uncached, f"/ency/article/{self.diff_id}.htm")

    def page(self, name: str, path: str, uncached_repeat: int = 20, cached_repeat: int = 50) -> dict:
        """Uncached (sessionid cookie) and cached (anonymous, after one fill) timings of one URL."""
        self.fresh_cache()
        out = {"path": path, "size_bytes": len(self.get(self.anonymous, path).content)}
        out["queries_uncached"] = self.queries(self.uncached, path)[0]
        out["queries_cached"] = self.queries(self.anonymous, path)[0]
        out["uncached"] = summarize(timed(lambda: self.get(self.uncached, path), uncached_repeat))
        out["cached"] = summarize(timed(lambda: self.get(self.anonymous, path), cached_repeat))
        self.scenarios[name] = lambda: self.get(self.uncached, path)
        log(f"{name}: uncached p95 {out['uncached']['p95_ms']} ms, {out['queries_uncached']} queries")
        return out

    def article(self) -> None:
        """The article page. The cache is emptied between phases so that no phase culls another's
        entries (the local-memory cache keeps at most 300 entries per process)."""
        paths = [f"/ency/article/{pid}.htm" for pid in self.sample]
        hot, queries, out = paths[: common.HOT_ARTICLES], {}, {}

        def timed_pass(client, name: str, pass_paths: list[str]) -> dict:
            counts, samples = zip(*(self.queries(client, path) for path in pass_paths), strict=True)
            queries[name] = max(counts)
            return summarize(list(samples))

        self.fresh_cache()
        out["uncached_first"] = timed_pass(self.uncached, "first", paths)  # nothing of the article cached yet
        out["uncached"] = timed_pass(self.uncached, "cookie", paths)
        self.fresh_cache()
        timed_pass(self.uncached, "fill", hot)  # the article's data cached, the page not
        out["anonymous_miss"] = timed_pass(self.anonymous, "anonymous", hot)
        out["cached"] = timed_pass(self.anonymous, "cached", hot * 3)
        out.update({f"queries_uncached_{key}": queries[key] for key in ("first", "cookie", "anonymous")})
        self.results["article"] = {**out, "queries_cached": queries["cached"]}
        cycle = itertools.cycle(paths)
        self.scenarios["article_uncached"] = lambda: self.get(self.uncached, next(cycle))
        self.scenarios["article_cached"] = lambda: self.get(self.anonymous, hot[0])
        log(f"article: uncached p95 {out['uncached']['p95_ms']} ms")

    def letter(self) -> None:
        from django.db.models import Count

        from encyclopedia.models import IndexEntry

        largest = IndexEntry.objects.values("letter").annotate(n=Count("pk")).order_by("-n", "letter")[0]
        out = self.page("letter", f"/ency/encyclopedia_{largest['letter']}.htm")
        self.results["letter"] = {**out, "letter": largest["letter"], "entries": largest["n"]}

    def search(self) -> None:
        """Each search as the first after a publish: the live generation is bumped before each, so
        the results cache (``keys.search_results``) cannot answer and the search itself is timed. The
        common queries, then those matching the largest article the limits allow (issue #13)."""
        from encyclopedia import search
        from encyclopedia.caching import generations, keys

        def changed() -> None:
            generations.bump(keys.LIVE)

        for name, queries in (
            ("search", content.SEARCH_QUERIES),
            ("search_largest", content.LARGEST_QUERIES),
        ):
            per_query, everything = {}, []
            for query in queries:
                path = search_path(query)
                samples = timed(
                    lambda p=path: self.get(self.uncached, p, (200, 302)), 10, warmup=1, before=changed
                )
                everything += samples
                changed()
                count = self.queries(self.uncached, path, expect=(200, 302))[0]
                found = search.search(query)
                per_query[query] = {"results": found.total, "queries": count, **summarize(samples)}
                if name == "search_largest":
                    shown = any(result.title == "Night leg cramps" for result in found.results)
                    per_query[query]["largest_on_first_page"] = shown
            self.results[name] = {"queries": per_query, "all": summarize(everything)}
            log(f"{name}: p95 {self.results[name]['all']['p95_ms']} ms")
        cycle = itertools.cycle(content.SEARCH_QUERIES)

        def profiled() -> None:
            changed()
            self.get(self.uncached, search_path(next(cycle)), (200, 302))

        self.scenarios["search"] = profiled

    def infobutton(self) -> None:
        """The Infobutton service (issue #16) on the generated articles' codes: each kind of request
        at a new address (a parameter the service ignores), so that the page cache misses while the
        site data and generations stay cached; and an uncached API page, the same stack's baseline."""
        from encyclopedia.coding import CodeSystem as System
        from encyclopedia.models import CodeEntry

        titles, rng = content.all_titles(), random.Random(16)
        coded = CodeEntry.objects.filter(system=System.LOINC, article__public_id__lt="900000")
        numbers = sorted({int(i) for i in coded.values_list("article__public_id", flat=True)})

        def ask(system: System, code: str, **more: str) -> str:
            query = {"mainSearchCriteria.v.cs": system.value, "mainSearchCriteria.v.c": code, **more}
            return "/infobutton/service?" + urlencode(query)

        kinds = {  # what each kind asks of article n
            "exact_code": lambda n: ask(System.ICD10CM, content.codes(n)[0]),
            "icd_parent": lambda n: ask(System.ICD10CM, content.codes(n)[0] + "9"),
            "snomed_json": lambda n: ask(
                System.SNOMEDCT, content.codes(n)[1], knowledgeResponseType="application/json"
            ),
            "no_match": lambda n: ask(System.LOINC, "9999-4"),  # neither generated nor in the demo
            "display_name": lambda n: ask(
                System.ICD10CM, "Z99.89", **{"mainSearchCriteria.v.dn": titles[n - 1][2][0]}
            ),
            "baseline_api": lambda n: f"/api/v1/articles/{n:06d}/?",
        }
        generated = CodeEntry.objects.filter(article__public_id__lt="900000")
        out, every = {"articles": len(numbers), "codes": generated.count()}, []
        for name, found in (
            ("exact_code", True),
            ("icd_parent", True),
            ("snomed_json", True),
            ("no_match", False),
        ):
            body, n = self.get(self.anonymous, kinds[name](numbers[0])).content, numbers[0]
            if (f"/ency/article/{n:06d}".encode() in body, b"/ency/article/" in body) != (found, found):
                raise RuntimeError(f"infobutton {name}: article {n:06d} {'not ' if found else ''}answered")
        for name, path in kinds.items():
            paths = iter(
                [f"{path(rng.choice(numbers))}&requestId={name}-{i}" for i in range(INFOBUTTON + 10)]
            )
            samples = timed(lambda p=paths: self.get(self.anonymous, next(p)), INFOBUTTON, warmup=10)
            out[name] = summarize(samples)
            every += [] if name == "baseline_api" else samples
        self.results["infobutton"] = {**out, "all": summarize(every)}
        log(f"infobutton: p95 {self.results['infobutton']['all']['p95_ms']} ms")

    def machine_readable(self) -> None:
        last = max(1, -(-self.n // 50))
        self.results["sitemap"] = self.page("sitemap", "/sitemap.xml", 5, 20)
        self.results["feed"] = self.page("feed", "/ency/feed/")
        self.results["api_list"] = self.page("api_list", "/api/v1/articles/")
        self.results["api_list_last_page"] = self.page(
            "api_list_last_page", f"/api/v1/articles/?page={last}", 10, 20
        )

    def admin_pages(self) -> None:
        from reversion.models import Version

        from encyclopedia.models import Article

        articles, reviewer = "/admin/encyclopedia/article/", self.users["reviewer"].reviewer_profile
        history = Article.objects.get(public_id=HISTORY_ARTICLE)
        versions = list(Version.objects.get_for_object(history).values_list("pk", flat=True))
        draft = edit(self.diff_id, self.users["editor"], 0)
        pages = {
            "changelist": articles,
            "changelist_filtered": f"{articles}?status=live&article_type__exact=disease&review=overdue&o=1",
            "changelist_few": f"{articles}?reviewer__id__exact={reviewer.pk}&article_type__exact=nutrition",
            "changelist_search": f"{articles}?q=asthma",
            "history": f"{articles}{history.pk}/history/",
            "compare": f"{articles}{history.pk}/compare/?old={versions[-1]}&new={versions[0]}",
            "diff": f"{articles}{draft.pk}/changes/",
            "change_form": f"{articles}{draft.pk}/change/",
            "dashboard": "/admin/",
        }
        out = {}
        for key, path in pages.items():
            rows = self.get(self.admin, path).content.count(b'name="_selected_action"')
            samples = timed(lambda p=path: self.get(self.admin, p), 5 if key == "change_form" else 10)
            out[key] = {
                "path": path,
                "rows": rows,
                "queries": self.queries(self.admin, path)[0],
                **summarize(samples),
            }
            self.scenarios[f"admin_{key}"] = lambda p=path: self.get(self.admin, p)
            log(f"admin {key}: p95 {out[key]['p95_ms']} ms, {out[key]['queries']} queries")
        out["history"]["versions"] = len(versions)
        self.results["admin"] = out

    def approvals(self) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from editorial.actions.approve import approve
        from editorial.actions.submit import submit
        from encyclopedia.models import Article

        editor, reviewer = self.users["editor"], self.users["reviewer"]
        submitted, submit_times, approve_times, approve_queries = [], [], [], []
        for public_id in self.approve_ids:
            edit(public_id, editor, 0)
            article = Article.objects.get(public_id=public_id)
            submit_times += timed(lambda a=article: submit(a, editor, note="Please review."), 1, 0)
            submitted.append(Article.objects.get(public_id=public_id))
        prepared, spare = submitted[:APPROVALS], submitted[APPROVALS:]  # the spare ones for a profile
        for article in prepared:
            with CaptureQueriesContext(connection) as captured:
                approve_times += timed(lambda a=article: approve(a, reviewer, notes="Checked."), 1, 0)
            approve_queries.append(len(captured.captured_queries))
        out = {
            **summarize(approve_times),
            "queries": max(approve_queries),
            "submit": summarize(submit_times[:APPROVALS]),
        }
        self.results.setdefault("writes", {})["approve"] = out
        self.scenarios["approve"] = lambda: approve(spare.pop(), reviewer) if spare else None
        self.repeat["approve"] = len(spare)
        log(f"approve: p95 {out['p95_ms']} ms, {out['queries']} queries")

    def import_files(self, count: int, offset: int) -> list[str]:
        """``count`` new pages (no id: the importer issues one) after the generated articles."""
        folder = common.WORKDIR / f"import-{self.db}"
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.md"):
            old.unlink()
        writer, paths = PageWriter(self.n), []
        for index in range(self.n + offset + 1, self.n + offset + count + 1):
            paths.append(str(folder / f"{index:06d}.md"))
            Path(paths[-1]).write_text(
                writer.page(index, with_id=False, links=False, codes=False), encoding="utf-8"
            )
        return paths

    def run_import(self, paths: list[str]) -> tuple[float, str]:
        from django.core.management import call_command

        stdout, stderr = io.StringIO(), io.StringIO()
        started = time.perf_counter()
        with contextlib.suppress(SystemExit):
            call_command("import_articles", *paths, stdout=stdout, stderr=stderr)
        elapsed = time.perf_counter() - started
        if stderr.getvalue().strip():
            log("import errors: " + stderr.getvalue().strip().splitlines()[0])
        return elapsed, (stdout.getvalue().strip().splitlines() or [""])[-1]

    def imports(self) -> None:
        from encyclopedia.models import Article

        paths, before = self.import_files(IMPORTS, 0), Article.objects.count()
        elapsed, summary = self.run_import(paths)
        imported = Article.objects.count() - before
        out = {"files": len(paths), "imported": imported, "seconds": round(elapsed, 2), "summary": summary}
        out["articles_per_s"] = round(imported / elapsed, 1) if elapsed else None
        out["ms_per_article"] = round(elapsed * 1000 / max(imported, 1), 1)
        self.results.setdefault("writes", {})["import"] = out
        extra = self.import_files(50, IMPORTS)
        self.scenarios["import"] = lambda: self.run_import(extra)
        log(f"import: {imported} articles in {elapsed:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgresql"], required=True)
    args = parser.parse_args()
    common.setup_django(args.db)
    from django.core.management import call_command

    from bench.profiling import pyinstrument_profile

    call_command("collectstatic", interactive=False, verbosity=0)  # the admin's files, as served
    started, bench, tracker, foreign = time.perf_counter(), Bench(args.db), ForeignCpu(), {}
    tracker.start()
    for part in PARTS:  # each once the machine is quiet, with the cores others used meanwhile
        tracker.wait_quiet(limit=min(30, common.QUIET_S))
        tracker.mark()
        getattr(bench, part)()
        foreign[part] = tracker.window()
    tracker.stop()
    results, outdir = {**bench.results, "foreign_cores": foreign, "profiles": {}}, common.out_dir(args.db)
    http = json.loads((outdir / "load.json").read_text()) if (outdir / "load.json").exists() else {}
    for name in missed({**results, "http": http}, bench.scenarios):
        log(f"profiling {name} in-process (a target missed)")
        warmup = 0 if name in ("approve", "import") else 1
        profile = pyinstrument_profile(
            bench.scenarios[name], bench.repeat.get(name, 10), f"{args.db}-{name}", outdir, warmup
        )
        results["profiles"][name] = profile
    results["seconds"] = round(time.perf_counter() - started, 1)
    (outdir / "measure.json").write_text(json.dumps(results, indent=2, default=str))
    log(f"done in {results['seconds']} s")


if __name__ == "__main__":
    main()
