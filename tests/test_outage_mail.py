"""Mail down: the workflow goes on, its email waits in the outbox, and is sent once, later.

The mail servers are real: one that refuses every connection (it answers 554, as a server out of
service does), one that accepts and never answers (hung), and aiosmtpd, which takes the mail
once the server "recovers". The Django SMTP backend talks to them over TCP.
"""

from __future__ import annotations

import datetime
import socket
import threading
import time
from collections.abc import Iterator
from email import message_from_bytes
from io import StringIO

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from editorial import outbox, roles
from editorial.actions.approve import approve
from editorial.actions.submit import submit
from editorial.models import OutgoingMail, ReminderLog
from editorial.reminders import send_digests
from encyclopedia.models import Article, Reviewer
from tests.factories import edit, make_user

pytestmark = pytest.mark.django_db

SMTP = "django.core.mail.backends.smtp.EmailBackend"


class RefusingServer:
    """An SMTP server out of service: greets every connection with 554 and hangs up; or, with
    ``hang``, accepts it and says nothing at all."""

    def __init__(self, *, hang: bool = False) -> None:
        self.hang = hang
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        self.held: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            if self.hang:
                self.held.append(connection)
                continue
            connection.sendall(b"554 5.3.2 Service unavailable, not accepting mail\r\n")
            connection.close()

    def close(self) -> None:
        self.listener.close()
        for connection in self.held:
            connection.close()


class Collector:
    """aiosmtpd's handler: keeps every message the recovered server accepted."""

    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def refusing() -> Iterator[RefusingServer]:
    server = RefusingServer()
    with override_settings(
        EMAIL_BACKEND=SMTP, EMAIL_HOST="127.0.0.1", EMAIL_PORT=server.port, EMAIL_TIMEOUT=2
    ):
        yield server
    server.close()


@pytest.fixture
def recovered() -> Iterator[Collector]:
    collector = Collector()
    with socket.socket() as probe:  # a free port for it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(EMAIL_BACKEND=SMTP, EMAIL_HOST="127.0.0.1", EMAIL_PORT=port):
            yield collector
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def _server_not_known_down(monkeypatch) -> None:
    """Each test starts with a process that has not seen the mail server fail."""
    monkeypatch.setattr(outbox, "_server_down_until", 0.0)


@pytest.fixture
def people():
    editor = make_user("editor", roles.EDITORS)
    reviewer = make_user("reviewer", roles.MEDICAL_REVIEWERS)
    Reviewer.objects.create(name="Rae Viewer", credentials="MD", user=reviewer)
    return editor, reviewer


@pytest.fixture
def draft(make_article, publish_article, people):
    article = publish_article(make_article("Leg cramps"))
    edit(article, people[0], "Updated paragraph about night cramps.")
    return Article.objects.get(pk=article.pk)


def test_a_submission_and_an_approval_succeed_while_mail_is_refused_and_their_email_is_sent_once_later(
    refusing, draft, people, django_capture_on_commit_callbacks, caplog
):
    editor, reviewer = people
    with django_capture_on_commit_callbacks(execute=True):
        submit(draft, editor)
    assert "Mail server refused 1 email (" in caplog.text
    assert "it waits in the outbox" in caplog.text
    with django_capture_on_commit_callbacks(execute=True):
        approve(Article.objects.get(pk=draft.pk), reviewer, notes="Accurate.")
    assert Article.objects.get(pk=draft.pk).state == "published"
    waiting = OutgoingMail.objects.filter(sent_at__isnull=True)
    assert sorted(waiting.values_list("kind", flat=True)) == ["approved", "submitted"]
    assert "554" in waiting.get(kind="submitted").last_error
    assert waiting.get(kind="approved").attempts == 0  # the server had just refused: left to cron
    assert refusing.connections == 1

    call_command("send_queued_mail", "--all")  # cron, still refused: nothing lost, the back-off grows
    assert OutgoingMail.objects.filter(sent_at__isnull=True).count() == 2
    assert OutgoingMail.objects.get(kind="submitted").attempts == 2


def test_the_outbox_is_sent_after_the_server_recovers_and_never_twice(
    refusing, draft, people, django_capture_on_commit_callbacks, request
):
    editor, _ = people
    with django_capture_on_commit_callbacks(execute=True):
        submit(draft, editor)
    mail = OutgoingMail.objects.get()
    assert mail.sent_at is None and mail.attempts == 1
    assert mail.next_attempt_at >= mail.created_at + outbox.retry_after(1)

    collector = request.getfixturevalue("recovered")
    call_command("send_queued_mail")  # not due yet: the back-off holds it
    assert collector.messages == []
    out = StringIO()
    call_command("send_queued_mail", "--all", stdout=out)
    assert out.getvalue() == "1 email sent, 0 refused, 0 waiting.\n"
    call_command("send_queued_mail", "--all")
    assert len(collector.messages) == 1
    sent = collector.messages[0]
    assert sent["Subject"] == f"Review requested: Leg cramps ({draft.public_id})"
    assert sent["Message-ID"] == mail.message_id
    assert sent["To"] == "reviewer@example.org"
    assert OutgoingMail.objects.get().sent_at is not None


def test_a_hung_mail_server_holds_the_approval_one_timeout_then_not_at_all(
    draft, people, django_capture_on_commit_callbacks
):
    editor, reviewer = people
    hung = RefusingServer(hang=True)
    try:
        with override_settings(
            EMAIL_BACKEND=SMTP, EMAIL_HOST="127.0.0.1", EMAIL_PORT=hung.port, EMAIL_TIMEOUT=0.5
        ):
            started = time.monotonic()
            with django_capture_on_commit_callbacks(execute=True):
                submit(draft, editor)
            first = time.monotonic() - started
            started = time.monotonic()
            with django_capture_on_commit_callbacks(execute=True):
                approve(Article.objects.get(pk=draft.pk), reviewer, notes="Accurate.")
            second = time.monotonic() - started
        connections = hung.connections
    finally:
        hung.close()
    assert first < 0.5 + 3, first  # one timeout (EMAIL_TIMEOUT), not one per email or a hang
    assert connections == 1, "the server had just failed: the approval's email is left to cron"
    assert second < first
    assert OutgoingMail.objects.filter(sent_at__isnull=True).count() == 2


def test_review_reminders_wait_in_the_outbox_and_are_sent_once(
    refusing, make_article, publish_article, request
):
    user = make_user("reviewer", roles.MEDICAL_REVIEWERS)
    profile = Reviewer.objects.create(name="Rae Viewer", credentials="MD", user=user)
    publish_article(make_article("Overdue page", review_date=datetime.date(2023, 5, 29), reviewer=profile))
    today = datetime.date(2026, 6, 1)
    sent, _ = send_digests(today)
    assert len(sent) == 1
    assert ReminderLog.objects.count() == 1
    assert OutgoingMail.objects.get(kind="review_reminder").sent_at is None

    collector = request.getfixturevalue("recovered")
    assert send_digests(today) == ([], sent)  # again the same day: nothing new queued
    call_command("send_queued_mail", "--all")
    call_command("send_queued_mail", "--all")
    assert [message["Subject"] for message in collector.messages] == [sent[0].subject()]


def test_directors_see_unsent_email_in_the_admin(
    refusing, draft, people, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit(draft, people[0])
    director = make_user("director", roles.EDITORIAL_DIRECTORS)
    client.force_login(director)
    start = client.get("/admin/").content.decode()
    assert "1 email not sent yet: it is sent again by send_queued_mail" in start
    assert "554" in start
    listing = client.get("/admin/editorial/outgoingmail/?delivery=waiting")
    assert listing.status_code == 200
    assert f"Review requested: Leg cramps ({draft.public_id})" in listing.content.decode()
    client.force_login(people[0])
    assert client.get("/admin/editorial/outgoingmail/").status_code == 403
    assert "not sent yet" not in client.get("/admin/").content.decode()


def test_an_email_another_process_is_sending_is_not_sent_again_even_with_all(
    refusing, draft, people, django_capture_on_commit_callbacks, request
):
    with django_capture_on_commit_callbacks(execute=True):
        submit(draft, people[0])
    collector = request.getfixturevalue("recovered")
    now = timezone.now()
    OutgoingMail.objects.update(claimed_until=now + datetime.timedelta(minutes=5))  # another run has it
    call_command("send_queued_mail", "--all")
    assert collector.messages == []
    OutgoingMail.objects.update(claimed_until=now - datetime.timedelta(seconds=1))  # that run died
    call_command("send_queued_mail", "--all")
    call_command("send_queued_mail", "--all")
    assert len(collector.messages) == 1


def test_an_email_that_cannot_be_made_waits_with_its_reason_and_the_others_are_sent(recovered):
    """A line break in a Subject (Django refuses the header) stopped ``send_queued_mail`` at that
    email, so every email queued after it was never sent, on every cron run."""
    common = {"from_email": "ency@example.org", "body_text": "Body.", "recipients": ["a@example.org"]}
    broken = OutgoingMail.objects.create(
        kind="submitted", subject="Review requested: Leg\r\nBcc: x@example.org", message_id="<1@x>", **common
    )
    later = OutgoingMail.objects.create(
        kind="approved", subject="Approved: Leg cramps", message_id="<2@x>", **common
    )
    call_command("send_queued_mail", stdout=StringIO(), stderr=StringIO())
    assert [m["Subject"] for m in recovered.messages] == ["Approved: Leg cramps"]
    assert OutgoingMail.objects.get(pk=later.pk).sent_at is not None
    broken.refresh_from_db()
    assert broken.sent_at is None and broken.attempts == 1
    assert "BadHeaderError" in broken.last_error and "newlines" in broken.last_error
    assert broken.next_attempt_at >= timezone.now() + datetime.timedelta(seconds=50)


def test_review_reminders_report_one_digest_and_one_article_in_the_singular(
    refusing, make_article, publish_article
):
    user = make_user("reviewer", roles.MEDICAL_REVIEWERS)
    profile = Reviewer.objects.create(name="Rae Viewer", credentials="MD", user=user)
    publish_article(make_article("Overdue page", review_date=datetime.date(2023, 5, 29), reviewer=profile))
    out = StringIO()
    with time_machine.travel(datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC)):
        call_command("send_review_reminders", "--dry-run", stdout=out)
        call_command("send_review_reminders", stdout=out)
    text = out.getvalue()
    assert "Dry run: 1 digest would be sent; nothing was sent." in text
    assert f"Sent to {user.email}: 1 article\n" in text
    assert "1 digest sent, 0 skipped (already sent today)." in text
    assert "1 digest waits in the outbox: the mail server did not take it;" in text
