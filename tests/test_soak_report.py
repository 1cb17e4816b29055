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
        "| Idle workers, CONN_MAX_AGE 0: after the drop | – | 0 of 24 failed |",
    ]
