"""RELIABILITY.md's verdict table after a soak of some phases only (``make soak ARGS="--phases …"``)."""

from __future__ import annotations

import json

from soak import report

WRITTEN = """# Reliability

<!-- soak:verdict -->
| acceptance | verdict | figure |
| --- | --- | --- |
| Steady: no failed request; every page one whole, real publication; no approval lost | pass | 0 of 9 requests failed |
| Two workers on SQLite without Redis: every change shows on both within 1 s | pass | slowest 0.50 s |
| Idle workers, CONN_MAX_AGE 0: after the drop | – | 0 of 24 failed |

<!-- /soak:verdict -->
"""


def test_a_soak_of_one_phase_rewrites_its_row_and_keeps_the_others(tmp_path, monkeypatch):
    written, out = tmp_path / "RELIABILITY.md", tmp_path / "out"
    out.mkdir()
    written.write_text(WRITTEN)
    (out / "multiworker.json").write_text(json.dumps({"passed": False, "slowest_s": 1.25}))
    monkeypatch.setattr(report, "REPORT", written)
    monkeypatch.setattr(report, "OUT", out)

    rows = [line for line in report.verdict() if line.startswith("| ") and "---" not in line][1:]

    assert rows == [
        "| Steady: no failed request; every page one whole, real publication; no approval lost | pass | 0 of 9 requests failed (an earlier run) |",
        "| Two workers on SQLite without Redis: every change shows on both within 1 s | **FAIL** | slowest 1.25 s |",
        "| Idle workers, CONN_MAX_AGE 0: after the drop | – | 0 of 24 failed (an earlier run) |",
    ]


def test_an_idle_drop_run_is_added_above_the_earlier_runs_rows(tmp_path, monkeypatch):
    written, out = tmp_path / "RELIABILITY.md", tmp_path / "out"
    out.mkdir()
    written.write_text(
        "<!-- soak:idle-drop -->\n"
        "| server settings | run at | connections kept → ended | requests after | statuses | failed |\n"
        "|---|---|---:|---:|---|---:|\n"
        "| CONN_MAX_AGE 0 | 2026-11-24T14:22:32-05:00 | 0 → 0 | 24 | 200: 24 | **0** |\n\n"
        "<!-- /soak:idle-drop -->\n"
    )
    run = {"conn_max_age": 60, "conn_health_checks": False, "started": "2026-12-07T13:38:19-05:00"}
    run |= {"kept_connections": 2, "terminated": 2, "requests_after": 24, "failed_after": 1}
    (out / "idle-drop.json").write_text(json.dumps(run | {"statuses_after": {"200": 23, "500": 1}}))
    monkeypatch.setattr(report, "REPORT", written)
    monkeypatch.setattr(report, "OUT", out)

    rows = [line for line in report.idle_drop() if line.startswith("| CONN")]

    assert rows == [
        "| CONN_MAX_AGE 60 | 2026-12-07T13:38:19-05:00 | 2 → 2 | 24 | 200: 23, 500: 1 | **1** |",
        "| CONN_MAX_AGE 0 | 2026-11-24T14:22:32-05:00 | 0 → 0 | 24 | 200: 24 | **0** |",
    ]


def test_a_steady_run_alone_keeps_the_restart_column_an_earlier_run_wrote(tmp_path, monkeypatch):
    labels = [label for label, _ in report.rows_of(report.FIGURES)]
    earlier = ["|  | Steady, 60 s | PostgreSQL restarted at 30 s of 60 s |", "| --- | --- | --- |"]
    earlier += [f"| {label} | old steady | restart {n} |" for n, label in enumerate(labels)]
    written, out = tmp_path / "RELIABILITY.md", tmp_path / "out"
    out.mkdir()
    written.write_text("<!-- soak:figures -->\n" + "\n".join(earlier) + "\n\n<!-- /soak:figures -->\n")
    (out / "steady.json").write_text(json.dumps({"plan": {"duration": 20.0}, "started": "today"}))
    monkeypatch.setattr(report, "REPORT", written)
    monkeypatch.setattr(report, "OUT", out)

    lines = report.figures()

    assert lines[0] == "|  | Steady, 20 s | PostgreSQL restarted at 30 s of 60 s (an earlier run) |"
    assert lines[2] == "| Run at | today | restart 0 |"
    assert lines[-2] == f"| {labels[-1]} | – → – (5 min: – → –) | restart {len(labels) - 1} |"


def test_figures_kept_from_a_phase_the_last_soak_did_not_run_are_marked_as_earlier(tmp_path, monkeypatch):
    written, out = tmp_path / "RELIABILITY.md", tmp_path / "out"
    out.mkdir()
    written.write_text(WRITTEN)
    (out / "multiworker.json").write_text(json.dumps({"passed": True, "slowest_s": 0.5}))
    smtp = {
        "passed": True,
        "distinct_delivered": 40,
        "delivered_twice": 0,
        "outbox_after_recovery": {"waiting": 0},
    }
    (out / "smtp-outage.json").write_text(json.dumps(smtp))
    (out / "last-run.json").write_text(json.dumps(["smtp-outage"]))
    monkeypatch.setattr(report, "REPORT", written)
    monkeypatch.setattr(report, "OUT", out)

    rows = [line for line in report.verdict() if line.startswith("| ") and "---" not in line][1:]

    assert "| pass | slowest 0.5 s (an earlier run) |" in rows[1]
    assert rows[2].endswith("| pass | 40 delivered, 0 twice, 0 left |")


def test_a_page_older_than_the_live_one_is_named_with_its_times_in_the_figures():
    page = {"public_id": "000535", "sent_s": 31.2174, "answered_s": 31.25, "marker": 95}
    page |= {"newer_marker": 111, "newer_committed_s": 31.207}
    whole = {"stale_after_commit": 1, "stale_max_s": 0.01, "stale_examples": [page]}
    row = next(cell for label, cell in report.rows_of(report.FIGURES) if "older than the live one" in label)

    assert report.FIGURES_OF.format(row, whole=whole) == (
        "1 (0.01); 000535 sent at 31.22 s, 0.01 s after revision 111 committed, showed 95"
    )
