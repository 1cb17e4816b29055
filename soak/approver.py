"""The approver: an editor edits and submits, a reviewer approves, once a second, in-process.

It calls the editorial workflow's own functions (``check_editable``/``record_edit`` as the admin's
save does, ``submit``, ``approve``) against the server's database and Redis, so every approval
publishes a new frozen Publication and bumps the shared cache generations exactly as an approval
in the admin would. Each approval writes a new "Soak revision N." into the summary and every
section; N is unique across the whole soak, so a page's marker names the approval it came from.

An approval that fails (PostgreSQL restarting) is retried from wherever the article stands
(edited, submitted or, if the error hid a commit, already live) until it is live or
``retry_for`` seconds have passed; every attempt's error is recorded.
"""

from __future__ import annotations

import re
import threading
import time
from typing import Any

from soak import config
from soak.config import marker_of_publication, marker_of_text

EDITOR, REVIEWER = "bench-editor", "bench-reviewer"


def users() -> tuple[Any, Any]:
    from django.contrib.auth import get_user_model

    return tuple(get_user_model().objects.get(username=name) for name in (EDITOR, REVIEWER))


def _mark(text: str, seq: int, separator: str) -> str:
    """``text`` with its soak marker replaced by revision ``seq`` (the rest of the text unchanged)."""
    return (
        config.MARKER_TEXT.format(seq=seq)
        + separator
        + re.sub(r"^\s*" + config.MARKER.pattern + r"\s*", "", text)
    )


def approve_to_live(public_id: str, seq: int, editor: Any, reviewer: Any) -> str:
    """Take the article from wherever it stands to live with revision ``seq``; return the steps taken.

    Safe to call again after any failure: each step looks at the stored state first.
    """
    from bench.generate import edit
    from editorial.actions.approve import approve
    from editorial.actions.submit import submit
    from encyclopedia.models import Article, WorkflowState

    def load() -> Article:
        return Article.objects.select_related("live_publication").get(public_id=public_id)

    def change(article: Any) -> None:  # what an editor's save in the admin does (bench.generate.edit)
        for section in article.sections.order_by("position", "id"):
            section.body = _mark(section.body, seq, "\n\n")
            section.save(update_fields=["body"])
        article.summary = _mark(article.summary, seq, " ")
        article.save()

    article, steps = load(), []
    if article.state == WorkflowState.PUBLISHED and marker_of_publication(article.live_publication)[0] == seq:
        return "already live"
    if article.state in (WorkflowState.PUBLISHED, WorkflowState.DRAFT, WorkflowState.CHANGES_REQUESTED):
        if article.state == WorkflowState.PUBLISHED or marker_of_text(article.summary) != seq:
            edit(public_id, editor, seq, change)
            steps.append("edit")
            article = load()
        submit(article, editor, note=f"Soak revision {seq}")
        steps.append("submit")
        article = load()
    if article.state == WorkflowState.IN_REVIEW:
        approve(article, reviewer, notes="Checked.")
        steps.append("approve")
        article = load()
    live = marker_of_publication(article.live_publication)[0]
    if live != seq:
        raise RuntimeError(f"{public_id} is {article.state} with revision {live} live, not {seq}")
    return "+".join(steps)


class Approver(threading.Thread):
    """Approve an update of the hot articles in turn, one every ``interval`` seconds, until the end."""

    def __init__(self, hot_ids: list[str], first_seq: int, start: float, plan: config.Plan):
        super().__init__(name="approver", daemon=True)
        self.hot_ids, self.seq, self.start_time, self.plan = hot_ids, first_seq, start, plan  # start: t = 0
        self.records: list[dict] = []
        self.stop_event = threading.Event()

    def now(self) -> float:
        return round(time.time() - self.start_time, 3)

    def run(self) -> None:
        from django.db import connection

        people = None
        try:
            for tick in range(10**9):
                due = self.start_time + self.plan.approval_interval * (tick + 0.5)
                if due >= self.start_time + self.plan.duration or self.stop_event.wait(
                    max(0.0, due - time.time())
                ):
                    break
                public_id = self.hot_ids[tick % len(self.hot_ids)]
                record = {"seq": self.seq, "public_id": public_id, "due": round(due - self.start_time, 3)}
                record["started"], errors = self.now(), []
                while True:
                    try:
                        people = people or users()
                        record["steps"] = approve_to_live(public_id, self.seq, *people)
                        record["outcome"] = "ok" if not errors else "ok after retry"
                        break
                    except Exception as exc:  # noqa: BLE001 - every failure is recorded and retried
                        text = str(exc).strip()
                        errors.append(
                            {
                                "t": self.now(),
                                "error": f"{type(exc).__name__}: {text.splitlines()[0][:160] if text else ''}",
                            }
                        )
                        connection.close()  # a broken connection is opened again on the next query
                        if self.now() - record["started"] > self.plan.retry_for:
                            record["outcome"] = "failed"
                            break
                        if self.stop_event.wait(0.25):
                            record["outcome"] = "failed (stopped)"
                            break
                record.update(finished=self.now(), finished_wall=time.time(), errors=errors)
                self.records.append(record)
                self.seq += 1
        finally:
            connection.close()
