"""Requests per second through `make serve`'s gunicorn, under wrk on loopback.

    python -m bench.load --db sqlite|postgresql [--duration 10]

Starts gunicorn exactly as the Makefile's ``serve`` target does (read from the Makefile: 2
workers, whitenoise, access log, max-requests), with DEBUG off and the benchmark's database,
on 127.0.0.1:$BENCH_PORT (8041). Puts a static HTML file with the same bytes as an article
page into the collected static directory, then measures, interleaved, in two rounds:

* ``static``: that file, served by whitenoise through the same server;
* ``article_cached``: 50 article pages in rotation, anonymous (page cache warm: 50 pages with their
  "links here" and citation entries fit in the local-memory cache's 1,000 entries);
* ``article_uncached``: 100 article pages with a ``sessionid`` cookie (the page cache is skipped);
* ``article_cached_wide``: 2,000 article pages in rotation, anonymous (more pages than the
  local-memory cache holds: what the page cache does for a wide working set).

Every run is bounded (wrk -d). Resident memory of each worker is sampled during the load and
read once more after it. A throughput target that is missed is profiled with py-spy on both
workers. Results go to bench/out/<db>/load.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from bench import common
from bench.machine_load import ForeignCpu
from bench.profiling import pyspy_summary

THREADS = 2
CONNECTIONS = 16
ROUNDS = 3
BUSY = 0.25  # cores used by other processes during a run above which it is run once more
WARMUP_S = 2
SCENARIOS = ("static", "article_cached", "article_uncached", "article_cached_wide")
FALLBACK_SERVE = (
    ".venv/bin/gunicorn config.wsgi:application --workers 2 --bind 127.0.0.1:{port} "
    "--access-logfile - --max-requests 100000 --max-requests-jitter 10000"
)


def log(message: str) -> None:
    print(f"  [load] {message}", file=sys.stderr, flush=True)


def serve_command(port: int) -> tuple[list[str], dict[str, str]]:
    """The gunicorn line of the Makefile's `serve` target (WORKERS=2, our port), and the variables it sets."""
    makefile = (common.ROOT / "Makefile").read_text()
    match = re.search(r"^serve:.*?\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    line = next(
        (ln.strip() for ln in (match.group(1).splitlines() if match else []) if "/bin/gunicorn" in ln), ""
    )
    line = line.replace("$(VENV)", ".venv").replace("$(WORKERS)", "2").replace("$(PORT)", str(port))
    env: dict[str, str] = {}
    words = shlex.split(line) if line and "$(" not in line else []
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
        name, _, value = words.pop(0).partition("=")
        default = re.fullmatch(r"\$\$\{(\w+):-(.*)\}", value)
        env[name] = os.environ.get(default.group(1), default.group(2)) if default else value
    if not words or "/bin/gunicorn" not in words[0]:
        return shlex.split(FALLBACK_SERVE.format(port=port)), {}
    return words, env


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def wait_until_healthy(process: subprocess.Popen, healthz: Callable[[], int], log_path: Path) -> None:
    """Wait up to 60 s for ``healthz()`` to answer 200 with both workers up; raise if gunicorn exits."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited; see {log_path}")
        with contextlib.suppress(OSError):
            if healthz() == 200 and len(children(process.pid)) >= 2:
                return
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not become healthy in 60 s")


def stop_master(process: subprocess.Popen, workers: list[int], timeout: float) -> None:
    """TERM the master (graceful), then KILL it and ``workers`` (those we saw), if they linger."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    for pid in workers:  # only the workers of the master we started
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class MemorySampler(threading.Thread):
    def __init__(self, master: int):
        super().__init__(daemon=True)
        self.master = master
        self.peak: dict[int, float] = {}
        self.seen: set[int] = set()
        self.stop_event = threading.Event()

    def run(self) -> None:
        while not self.stop_event.wait(0.5):
            for pid in children(self.master):
                value = rss_mb(pid)
                if value is not None:
                    self.seen.add(pid)
                    self.peak[pid] = max(self.peak.get(pid, 0), value)


def lua_script(paths: list[str], cookie: bool) -> str:
    listed = ",\n".join(f'  "{p}"' for p in paths)
    cookie_line = 'wrk.headers["Cookie"] = "sessionid=bench-not-a-session"\n' if cookie else ""
    return (
        f"local paths = {{\n{listed}\n}}\n"
        "local counter = 0\n"
        'wrk.headers["X-Forwarded-Proto"] = "https"\n'
        f"{cookie_line}"
        "request = function()\n"
        "  counter = counter + 1\n"
        '  return wrk.format("GET", paths[(counter % #paths) + 1])\n'
        "end\n"
    )


def parse_wrk(text: str) -> dict:
    def number(value: str, unit: str) -> float:
        factor = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}.get(unit, 1.0)
        return float(value) * factor

    out: dict = {}
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    out["rps"] = float(rps.group(1)) if rps else None
    total = re.search(r"(\d+) requests in", text)
    out["requests"] = int(total.group(1)) if total else None
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    out["non_2xx_3xx"] = int(bad.group(1)) if bad else 0
    errors = re.search(r"Socket errors:(.*)", text)
    out["socket_errors"] = errors.group(1).strip() if errors else ""
    for pct in ("50", "90", "99"):
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.MULTILINE)
        if m:
            out[f"latency_p{pct}_ms"] = round(number(m.group(1), m.group(2)), 2)
    return out


class LoadBench:
    def __init__(self, db: str, duration: int):
        self.db = db
        self.duration = duration
        self.port = common.PORT
        self.base = f"http://127.0.0.1:{self.port}"
        self.workdir = common.WORKDIR
        self.env = {**os.environ, **common.bench_env(db)}
        self.env.pop("REDIS_URL", None)
        self.process: subprocess.Popen | None = None
        self.log_path = self.workdir / f"gunicorn-{db}.log"

    # --------------------------------------------------------------- preparing

    def prepare(self) -> dict:
        """Pick the article paths, and write the same-size static file (before the server starts)."""
        common.setup_env(self.db)
        import django

        django.setup()
        from django.core.management import call_command
        from django.test import Client

        call_command("collectstatic", interactive=False, verbosity=0)  # as `make serve` does
        call_command("migrate", interactive=False, verbosity=0)

        from encyclopedia.models import Article

        ids = list(
            Article.objects.filter(live_publication__isnull=False, public_id__lt="900000")
            .order_by("public_id")
            .values_list("public_id", flat=True)
        )
        import random

        random.Random(6).shuffle(ids)
        self.paths = {
            "article_cached": [f"/ency/article/{i}.htm" for i in ids[: common.HOT_ARTICLES]],
            "article_uncached": [f"/ency/article/{i}.htm" for i in ids[: common.SAMPLE_ARTICLES]],
            "article_cached_wide": [f"/ency/article/{i}.htm" for i in ids[:2000]],
        }
        page = Client().get(self.paths["article_cached"][0], secure=True)
        static_root = Path(self.env["BENCH_STATIC_ROOT"])
        target = static_root / "bench" / "article.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(page.content)
        self.paths["static"] = ["/static/bench/article.html"]
        from django.db import connections

        connections.close_all()
        return {
            "article_bytes": len(page.content),
            "static_file": str(target),
            "static_bytes": target.stat().st_size,
        }

    # --------------------------------------------------------------- the server

    def start(self, drop_options: set[str] = frozenset()) -> tuple[list[str], dict[str, str]]:
        command, serve_env = serve_command(self.port)
        kept: list[str] = []
        skip = False
        for word in command:
            if skip:
                skip = False
                continue
            if word in drop_options:
                skip = True
                continue
            kept.append(word)
        command = kept
        self.log_file = self.log_path.open("w")
        self.process = subprocess.Popen(
            command,
            cwd=common.ROOT,
            env={**self.env, **serve_env},
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )
        wait_until_healthy(self.process, lambda: self.fetch("/healthz")[0], self.log_path)
        return command, serve_env

    def stop(self) -> None:
        if self.process is None:
            return
        stop_master(self.process, children(self.process.pid), timeout=20)
        self.log_file.close()
        self.process = None

    def fetch(self, path: str, cookie: bool = False) -> tuple[int, bytes]:
        request = urllib.request.Request(self.base + path, headers={"X-Forwarded-Proto": "https"})
        if cookie:
            request.add_header("Cookie", "sessionid=bench-not-a-session")
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
            return response.status, response.read()

    # --------------------------------------------------------------- load

    def wrk(self, scenario: str, duration: int) -> dict:
        if shutil.which("wrk") is None:
            return python_load(self.port, self.paths[scenario], scenario == "article_uncached", duration)
        script = self.workdir / f"wrk-{scenario}.lua"
        script.write_text(lua_script(self.paths[scenario], cookie=scenario == "article_uncached"))
        command = [
            "wrk",
            f"-t{THREADS}",
            f"-c{CONNECTIONS}",
            f"-d{duration}s",
            "--timeout",
            "5s",
            "--latency",
            "-s",
            str(script),
            self.base,
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=duration + 30)
        return parse_wrk(result.stdout)

    def run(self) -> dict:
        out: dict = {
            "db": self.db,
            "threads": THREADS,
            "connections": CONNECTIONS,
            "duration_s": self.duration,
            "rounds": ROUNDS,
        }
        out.update(self.prepare())
        command, serve_env = self.start()
        out["command"] = " ".join(f"{k}={v}" for k, v in serve_env.items()) + " " + " ".join(command)
        master = self.process.pid
        sampler = MemorySampler(master)
        sampler.start()
        self.tracker = ForeignCpu()
        self.tracker.start()
        try:
            for scenario in SCENARIOS:
                status, body = self.fetch(self.paths[scenario][0], cookie=scenario == "article_uncached")
                out.setdefault("response_bytes", {})[scenario] = len(body)
                if status != 200:
                    raise RuntimeError(f"{scenario}: HTTP {status}")
            for scenario in SCENARIOS:
                self.wrk(scenario, WARMUP_S)
            runs: dict[str, list[dict]] = {s: [] for s in SCENARIOS}
            for round_number in range(ROUNDS):
                for scenario in SCENARIOS:
                    result = self.measured_run(scenario)
                    if result["foreign_cores"] > BUSY:  # someone else was busy: once more
                        again = self.measured_run(scenario)
                        again["retry_of_busy_round"] = result["foreign_cores"]
                        result = min(result, again, key=lambda r: r["foreign_cores"])
                    runs[scenario].append(result)
                    log(
                        f"round {round_number + 1} {scenario}: {result.get('rps')} req/s "
                        f"(non-2xx {result.get('non_2xx_3xx')}, others used {result['foreign_cores']} cores)"
                    )
            out["scenarios"] = {}
            for scenario, results in runs.items():
                rates = sorted(r["rps"] for r in results if r.get("rps"))
                out["scenarios"][scenario] = {
                    "rps": round(rates[len(rates) // 2], 1) if rates else None,  # the median round
                    "foreign_cores_max": max(r["foreign_cores"] for r in results),
                    "rounds": results,
                    "latency_p50_ms": _mean([r.get("latency_p50_ms") for r in results]),
                    "latency_p99_ms": _mean([r.get("latency_p99_ms") for r in results]),
                    "non_2xx_3xx": sum(r.get("non_2xx_3xx", 0) for r in results),
                }
            static = out["scenarios"]["static"]["rps"]
            for scenario in SCENARIOS[1:]:
                rps = out["scenarios"][scenario]["rps"]
                out["scenarios"][scenario]["ratio_to_static"] = (
                    round(rps / static, 3) if rps and static else None
                )
            out["profiles"] = self.profile_misses(out)
            time.sleep(1)
            after = {pid: rss_mb(pid) for pid in children(master)}
            sampler.stop_event.set()
            sampler.join(timeout=2)
            self.tracker.stop()
            log_text = self.log_path.read_text(errors="replace")
            out["memory"] = {
                "worker_rss_after_mb": {str(pid): round(v, 1) for pid, v in after.items() if v is not None},
                "max_worker_rss_after_mb": round(max(v for v in after.values() if v is not None), 1),
                "master_rss_mb": round(rss_mb(master) or 0, 1),
                "peak_worker_rss_mb": round(max(sampler.peak.values()), 1) if sampler.peak else None,
                "workers_seen": len(sampler.seen),
                "worker_restarts": len(re.findall(r"Autorestarting worker", log_text)),
            }
        finally:
            self.stop()
        if os.environ.get("BENCH_NO_RECYCLING_RUN", "1") != "0":
            out["no_recycling"] = self.no_recycling()
        return out

    def no_recycling(self) -> dict:
        """Diagnostic: the same server without --max-requests, so no worker (and no page cache) is replaced."""
        self.log_path = self.workdir / f"gunicorn-{self.db}-no-recycling.log"
        command, serve_env = self.start(drop_options={"--max-requests", "--max-requests-jitter"})
        out: dict = {"command": " ".join(command), "scenarios": {}}
        master = self.process.pid
        self.tracker = ForeignCpu()
        self.tracker.start()
        try:
            for scenario in ("static", "article_cached", "article_uncached"):
                result = self.measured_run(scenario)
                out["scenarios"][scenario] = result
                log(
                    f"no recycling, {scenario}: {result.get('rps')} req/s (others used {result['foreign_cores']} cores)"
                )
            static = out["scenarios"]["static"].get("rps")
            for scenario in ("article_cached", "article_uncached"):
                rps = out["scenarios"][scenario].get("rps")
                out["scenarios"][scenario]["ratio_to_static"] = (
                    round(rps / static, 3) if rps and static else None
                )
            out["worker_rss_after_mb"] = {str(pid): round(rss_mb(pid) or 0, 1) for pid in children(master)}
        finally:
            self.tracker.stop()
            self.stop()
        return out

    def measured_run(self, scenario: str, warmup: bool = True) -> dict:
        """One bounded wrk run, after waiting (at most 90 s) for the other processes to go quiet,
        and after a short unmeasured run of the same scenario (the previous scenario may have
        emptied the page cache, or a worker may just have been replaced)."""
        quiet = self.tracker.wait_quiet()
        if warmup:
            self.wrk(scenario, WARMUP_S)
        self.tracker.mark()
        result = self.wrk(scenario, self.duration)
        result["foreign_cores"] = self.tracker.window()
        result["foreign_cores_before"] = quiet
        return result

    def profile_misses(self, out: dict) -> dict:
        """py-spy on both workers during another run of a scenario whose throughput target is missed."""
        thresholds = {"article_uncached": 0.25, "article_cached": 0.80}
        profiles = {}
        pyspy = common.ROOT / ".venv" / "bin" / "py-spy"
        if not pyspy.exists():
            return profiles
        for scenario, needed in thresholds.items():
            ratio = out["scenarios"][scenario].get("ratio_to_static")
            if ratio is None or ratio >= needed:
                continue
            log(f"profiling {scenario} with py-spy (ratio {ratio:.2f} < {needed})")
            rate = 250
            files = [self.workdir / f"pyspy-{self.db}-{scenario}.txt"]
            files[0].unlink(missing_ok=True)
            self.wrk(scenario, WARMUP_S)
            # On the master, following its workers: --max-requests replaces workers during the run.
            spy = subprocess.Popen(
                [
                    str(pyspy),
                    "record",
                    "--pid",
                    str(self.process.pid),
                    "--subprocesses",
                    "--rate",
                    str(rate),
                    "--duration",
                    str(self.duration + 1),
                    "--format",
                    "raw",
                    "--nonblocking",
                    "--output",
                    str(files[0]),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(0.5)
            run = self.measured_run(scenario, warmup=False)
            try:
                spy.wait(timeout=self.duration + 30)
            except subprocess.TimeoutExpired:
                spy.kill()
                spy.wait()
            summary = pyspy_summary(files, rate)
            summary["rps_while_profiled"] = run.get("rps")
            summary["foreign_cores"] = run.get("foreign_cores")
            outdir = common.out_dir(self.db)
            merged = outdir / f"pyspy-{scenario}.txt"
            merged.write_text("".join(f.read_text(errors="replace") for f in files if f.exists()))
            summary["file"] = merged.name
            profiles[scenario] = summary
        return profiles


def _client_process(port: int, paths: list[str], cookie: bool, deadline: float, queue) -> None:
    """One process of the fallback load generator: CONNECTIONS // 2 threads, new connection per request."""
    import http.client

    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def worker(offset: int) -> None:
        nonlocal errors
        index = offset
        headers = {"X-Forwarded-Proto": "https"}
        if cookie:
            headers["Cookie"] = "sessionid=bench-not-a-session"
        while time.monotonic() < deadline:
            index += 1
            started = time.monotonic()
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", paths[index % len(paths)], headers=headers)
                response = connection.getresponse()
                response.read()
                connection.close()
                ok = 200 <= response.status < 400
            except OSError:
                ok = False
            with lock:
                if ok:
                    latencies.append(time.monotonic() - started)
                else:
                    errors += 1

    threads = [threading.Thread(target=worker, args=(i * 7,)) for i in range(CONNECTIONS // 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put((latencies, errors))


def python_load(port: int, paths: list[str], cookie: bool, duration: int) -> dict:
    """A bounded Python load generator, used when wrk is not installed (slower than wrk: a lower bound)."""
    import multiprocessing

    queue = multiprocessing.Queue()
    started = time.monotonic()
    deadline = started + duration
    processes = [
        multiprocessing.Process(target=_client_process, args=(port, paths, cookie, deadline, queue))
        for _ in range(2)
    ]
    for process in processes:
        process.start()
    latencies, errors = [], 0
    for _ in processes:
        got, bad = queue.get(timeout=duration + 30)
        latencies += got
        errors += bad
    for process in processes:
        process.join(timeout=10)
    elapsed = time.monotonic() - started
    latencies.sort()

    def pct(p: float) -> float | None:
        return (
            round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 2)
            if latencies
            else None
        )

    return {
        "rps": round(len(latencies) / elapsed, 2),
        "requests": len(latencies),
        "non_2xx_3xx": errors,
        "socket_errors": "",
        "latency_p50_ms": pct(0.5),
        "latency_p90_ms": pct(0.9),
        "latency_p99_ms": pct(0.99),
        "client": "python",
    }


def _mean(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return round(sum(values) / len(values), 2) if values else None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgresql"], required=True)
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", "10")))
    args = parser.parse_args()
    common.WORKDIR.mkdir(parents=True, exist_ok=True)
    bench = LoadBench(args.db, args.duration)
    results = bench.run()
    (common.out_dir(args.db) / "load.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
