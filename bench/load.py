"""Requests per second through `make serve`'s gunicorn under wrk, per scenario (BENCHMARKS.md, "Headline").

    python -m bench.load --db sqlite|postgresql [--duration 10]

PostgreSQL runs the production setup (a private redis-server, $BENCH_REDIS_PORT), SQLite the embedded
default. Five interleaved rounds per scenario; a missed throughput target is profiled with py-spy;
then a diagnostic run without ``--max-requests``. Results go to bench/out/<db>/load.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import urlencode

from bench import common, content
from bench.machine_load import ForeignCpu
from bench.profiling import pyspy_summary
from bench.report import missed
from bench.server import RedisServer, Server, log_text, rss_mb

# The address wrk sends (and generate's render_pages stored the pages for): the in-process
# counts must read the same stored pages, and never store one for another address.
HOST = f"127.0.0.1:{common.PORT}"
THREADS, CONNECTIONS, ROUNDS, WARMUP_S, PYSPY_RATE = 2, 16, 5, 3, 250  # rounds and warm-up: issue 15's
BUSY = 0.25  # cores used by other processes during a run above which it is run once more
SCENARIOS = ("static", "article_cached", "article_uncached", "long_tail", "search", "search_new")
SIGNED_IN = ("article_uncached", "search", "search_new")  # with the reader's session cookie
# Run after emptying the shared caches (every generation then new), without a warm-up, each in a
# new order: each request an article, or a query, no cache holds.
COLD = ("long_tail", "search_new")
NEW_QUERIES = 30_000  # at most: new_search_queries makes 26,954, more than a run of 10 s asks
# Each thread walks its share of the paths; done() writes wrk's figures as one JSON line.
LUA = """local paths = {%s}
local counter, made = 0, 0
wrk.headers["X-Forwarded-Proto"] = "https"
%s
setup = function(thread) thread:set("first", made); made = made + 1 end
init = function(args) counter = first or 0 end
request = function()
  local path = paths[(counter %% #paths) + 1]
  counter = counter + %d
  return wrk.format("GET", path)
end
done = function(s, latency, requests)
  local e = s.errors
  io.write(string.format('{"requests": %%d, "seconds": %%f, "non_2xx_3xx": %%d, "socket_errors": %%d',
    s.requests, s.duration / 1e6, e.status, e.connect + e.read + e.write + e.timeout))
  for _, p in ipairs({50, 95, 99}) do io.write(string.format(', "p%%d": %%d', p, latency:percentile(p))) end
  io.write("}\\n")
end
"""


def log(message: str) -> None:
    common.log("load", message)


def summary(results: list[dict]) -> dict:
    """A scenario's rounds: the median round's rate, the mean latencies, all errors, the Redis round
    trips per request."""
    rates = sorted(r["rps"] for r in results if r.get("rps"))
    counted = [r for r in results if r.get("redis_round_trips") is not None and r.get("requests")]
    requests = sum(r["requests"] for r in counted)

    def mean(key: str) -> float | None:
        values = [r[key] for r in results if r.get(key) is not None]
        return round(sum(values) / len(values), 2) if values else None

    return {
        "rps": round(rates[len(rates) // 2], 1) if rates else None,
        "foreign_cores_max": max(r["foreign_cores"] for r in results),
        "rounds": results,
        **{key: mean(key) for key in ("latency_p50_ms", "latency_p95_ms", "latency_p99_ms", "first_views")},
        "non_2xx_3xx": sum(r.get("non_2xx_3xx", 0) for r in results),
        "redis_round_trips_per_request": (
            round(sum(r["redis_round_trips"] for r in counted) / requests, 2) if requests else None
        ),
    }


def ratios(scenarios: dict[str, dict]) -> dict[str, dict]:
    """Each scenario's rate as a share of the static file's (the headline figure)."""
    static = scenarios["static"].get("rps")
    for result in scenarios.values():
        rps = result.get("rps")
        result["ratio_to_static"] = round(rps / static, 3) if rps and static else None
    return scenarios


class LoadBench:
    def __init__(self, db: str, duration: int):
        self.db, self.duration, self.tracker = db, duration, ForeignCpu()
        self.env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"} | common.bench_env(db)
        self.redis = RedisServer(common.REDIS_PORT, common.WORKDIR) if db == "postgresql" else None
        self.shuffle = random.Random(15)

    def prepare(self) -> dict:
        """Pick the paths, sign the reader in, and write the same-size static file (before the server
        starts, so that whitenoise finds it)."""
        common.setup_django(self.db, self.env.get("REDIS_URL", ""))
        from django.contrib.auth import get_user_model
        from django.core.management import call_command
        from django.db import connections
        from django.test import Client

        call_command("collectstatic", interactive=False, verbosity=0)  # as `make serve` does
        call_command("migrate", interactive=False, verbosity=0)
        self.as_deployed()
        ids = common.live_ids()
        random.Random(6).shuffle(ids)
        articles = [f"/ency/article/{i}.htm" for i in ids]
        self.paths = {
            "static": ["/static/bench/article.html"],
            "article_cached": articles[: common.HOT_ARTICLES],
            "article_uncached": articles[: common.SAMPLE_ARTICLES],
            "long_tail": articles,
            "search": ["/ency/search/?" + urlencode({"q": q}) for q in content.SEARCH_QUERIES],
            "search_new": [
                "/ency/search/?" + urlencode({"q": q}) for q in content.new_search_queries(NEW_QUERIES)
            ],
        }
        reader = Client(HTTP_HOST=HOST)
        reader.force_login(get_user_model().objects.get_or_create(username="bench-reader")[0])
        self.cookie = f"sessionid={reader.cookies['sessionid'].value}"
        page = Client(HTTP_HOST=HOST).get(articles[0], secure=True).content
        target = Path(self.env["BENCH_STATIC_ROOT"]) / "bench" / "article.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(page)
        sql = self.sql_per_request(reader)
        connections.close_all()
        out = {"article_bytes": len(page), "static_file": str(target), "static_bytes": len(page)}
        return {**out, "long_tail_articles": len(ids), "sql_per_request": sql}

    def as_deployed(self) -> None:
        """What docs/deploy.md has an operator do after a deploy or a large import: store the pages
        not stored for this deploy (``render_pages``: a code change, or the measure step's import,
        leaves some); and what autovacuum does, which this machine's PostgreSQL has off: VACUUM
        ANALYZE, so that no run reads the dead rows of the last one."""
        from django.db import connection

        from bench.generate import render_pages

        started = time.perf_counter()
        render_pages()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        log(f"pages stored and the database vacuumed in {time.perf_counter() - started:.0f} s")

    def sql_per_request(self, reader: object) -> dict:
        """In-process, through Django's test client with the server's settings and caches: the SQL
        queries per request of each scenario (up to 100 requests), after the same warm-up as the load
        run (the long tail: after emptying the shared caches); and the paths answered with a redirect
        (a search that names an article exactly)."""
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        anonymous, out = Client(HTTP_HOST=HOST), {"redirected": []}
        for scenario in SCENARIOS:
            client, paths = reader if scenario in SIGNED_IN else anonymous, self.paths[scenario][:100]
            if scenario in COLD:
                self.flush()
            else:
                for path in paths:
                    client.get(path, secure=True)
            with CaptureQueriesContext(connection) as captured:
                statuses = {path: client.get(path, secure=True).status_code for path in paths}
            if set(statuses.values()) - {200, 302}:
                raise RuntimeError(f"{scenario} in-process: HTTP {sorted(set(statuses.values()))}")
            out["redirected"] += [path for path, status in statuses.items() if status == 302]
            out[scenario] = round(len(captured.captured_queries) / len(paths), 2)
        log(f"redirected: {out['redirected'] or 'none'}; SQL per request: {[out[s] for s in SCENARIOS]}")
        return out

    def flush(self) -> None:
        """Empty the caches every worker reads: Redis (production), or the shared disk store (the
        embedded default), whose generations, once gone, give every key a new value."""
        from django.core.cache import caches

        for name in ("default", "shared"):
            caches[name].clear()

    def wrk(self, scenario: str, duration: int) -> dict:
        script, paths = common.WORKDIR / f"wrk-{scenario}.lua", self.paths[scenario]
        if scenario in COLD:  # a new order each run
            paths = self.shuffle.sample(paths, len(paths))
        cookie = f'wrk.headers["Cookie"] = "{self.cookie}"' if scenario in SIGNED_IN else ""
        script.write_text(LUA % (", ".join(f'"{p}"' for p in paths), cookie, THREADS))
        options = f"-t{THREADS} -c{CONNECTIONS} -d{duration}s --timeout 5s -s {script}".split()
        command = ["wrk", *options, f"http://127.0.0.1:{common.PORT}"]
        text = subprocess.run(command, capture_output=True, text=True, timeout=duration + 30).stdout
        wrk = json.loads(text.strip().splitlines()[-1])
        out = {"rps": round(wrk["requests"] / wrk["seconds"], 2), "requests": wrk["requests"]}
        out.update({k: wrk[k] for k in ("non_2xx_3xx", "socket_errors")})
        out.update({f"latency_p{p}_ms": round(wrk[f"p{p}"] / 1000, 2) for p in (50, 95, 99)})
        if scenario == "long_tail" and wrk["requests"]:  # the share of requests that were first views
            out["first_views"] = round(min(1.0, len(paths) / wrk["requests"]), 3)
        return out

    def measured_run(self, scenario: str, warmup: bool = True) -> dict:
        """One bounded wrk run, once the other processes are quiet, after a short unmeasured run of the
        same scenario (the previous one may have emptied the page cache, or a worker may just have been
        replaced); the long tail and the new queries after emptying the shared caches instead. With
        Redis, its round trips during the run."""
        quiet = self.tracker.wait_quiet()
        if scenario in COLD:
            self.flush()
        elif warmup:
            self.wrk(scenario, WARMUP_S)
        before = self.redis.round_trips() if self.redis else None
        self.tracker.mark()
        result = self.wrk(scenario, self.duration)
        if before:
            after = self.redis.round_trips()  # less the one reply to the question itself
            result.update(redis_round_trips=after[0] - before[0] - 1, redis_commands=after[1] - before[1] - 1)
        return {**result, "foreign_cores": self.tracker.window(), "foreign_cores_before": quiet}

    def quiet_run(self, scenario: str) -> dict:
        """A measured run; once more if others were busy meanwhile, keeping the quieter."""
        result = self.measured_run(scenario)
        if result["foreign_cores"] > BUSY:
            again = {**self.measured_run(scenario), "retry_of_busy_round": result["foreign_cores"]}
            result = min(result, again, key=lambda r: r["foreign_cores"])
        return result

    def run(self) -> dict:
        """The load runs, with the production setup's private Redis up throughout (PostgreSQL)."""
        if self.redis:
            self.redis.start()
            self.env["REDIS_URL"] = self.redis.url
        self.tracker.start()
        try:
            out = {"db": self.db, "threads": THREADS, "connections": CONNECTIONS, "rounds": ROUNDS}
            out.update(redis_url=self.env.get("REDIS_URL"), duration_s=self.duration, **self.prepare())
            return {**out, **self.load(out), "no_recycling": self.no_recycling()}
        finally:
            self.tracker.stop()
            if self.redis:
                self.redis.stop()

    def load(self, out: dict) -> dict:
        server = Server(self.env, f"gunicorn-{self.db}", port=common.PORT, workdir=common.WORKDIR)
        try:
            server.start()
            command = " ".join([*(f"{k}={v}" for k, v in server.serve_env.items()), *server.command])
            server.sample_pids(time.time())
            for scenario in SCENARIOS:
                self.wrk(scenario, WARMUP_S)
            runs: dict[str, list[dict]] = {s: [] for s in SCENARIOS}
            for round_number in range(ROUNDS):
                for scenario in SCENARIOS:
                    runs[scenario].append(self.quiet_run(scenario))
                    if scenario == "long_tail":
                        long_tail_rss = {str(pid): round(rss_mb(pid) or 0, 1) for pid in server.workers()}
                    log(f"round {round_number + 1} {scenario}: {runs[scenario][-1].get('rps')} req/s")
            scenarios = ratios({scenario: summary(results) for scenario, results in runs.items()})
            profiles = self.profile_misses({**out, "scenarios": scenarios}, server)
            time.sleep(1)
            after = {str(pid): round(rss, 1) for pid in server.workers() if (rss := rss_mb(pid)) is not None}
            server.stop_sampling()
            memory = {
                "worker_rss_after_mb": after,
                "worker_rss_after_long_tail_mb": long_tail_rss,
                "master_rss_mb": round(rss_mb(server.pid) or 0, 1),
                "peak_worker_rss_mb": round(max(server.peak_rss.values()), 1) if server.peak_rss else None,
                "workers_seen": len({pid for _, pids in server.pid_samples for pid in pids}),
                "worker_restarts": log_text(server.error_log).count("Autorestarting worker"),
            }
        finally:
            server.stop(timeout=20)
        return {"command": command, "scenarios": scenarios, "profiles": profiles, "memory": memory}

    def no_recycling(self) -> dict:
        """Diagnostic: the server without --max-requests, so no worker (and no page cache) is replaced."""
        drop = ("--max-requests", "--max-requests-jitter")
        name = f"gunicorn-{self.db}-no-recycling"
        server = Server(self.env, name, port=common.PORT, workdir=common.WORKDIR, drop_options=drop)
        try:
            server.start()
            scenarios = ratios({s: self.measured_run(s) for s in SCENARIOS[:3]})
            log("no recycling: " + ", ".join(f"{s} {r.get('rps')} req/s" for s, r in scenarios.items()))
            rss = {str(pid): round(rss_mb(pid) or 0, 1) for pid in server.workers()}
            return {"command": " ".join(server.command), "scenarios": scenarios, "worker_rss_after_mb": rss}
        finally:
            server.stop(timeout=20)

    def profile_misses(self, out: dict, server: Server) -> dict:
        """py-spy on the master, following its workers (--max-requests replaces them), during another
        run of each scenario whose throughput target is missed."""
        profiles, pyspy = {}, common.ROOT / ".venv" / "bin" / "py-spy"
        for scenario in missed({"http": out}, SCENARIOS, "http:") if pyspy.exists() else []:
            log(f"profiling {scenario} with py-spy (a target missed)")
            raw = common.out_dir(self.db) / f"pyspy-{scenario}.txt"
            self.wrk(scenario, WARMUP_S)
            options = f"--subprocesses --rate {PYSPY_RATE} --duration {self.duration + 1} --format raw"
            options += " --nonblocking"
            command = [str(pyspy), "record", "--pid", str(server.pid), *options.split(), "--output", str(raw)]
            spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.5)
            run = self.measured_run(scenario, warmup=False)
            try:
                spy.wait(timeout=self.duration + 30)
            except subprocess.TimeoutExpired:
                spy.kill()
                spy.wait()
            profiles[scenario] = {**pyspy_summary([raw], PYSPY_RATE), "rps_while_profiled": run.get("rps")}
            profiles[scenario].update(foreign_cores=run.get("foreign_cores"), file=raw.name)
        return profiles


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgresql"], required=True)
    parser.add_argument("--duration", type=int, default=10)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: `make bench` installs it (apt-get install wrk).")
    common.WORKDIR.mkdir(parents=True, exist_ok=True)
    results = LoadBench(args.db, args.duration).run()
    (common.out_dir(args.db) / "load.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
