"""The mail outbox: every email the workflow sends is kept in the database until the server takes it.

A mail server that refuses or hangs must not cost an approval, a submission or a request for
changes, nor lose their email. So ``enqueue`` writes the email (``OutgoingMail``) in the
transaction of the change it announces, and once that commits ``deliver`` tries to send it at
once. What the server does not accept waits, with its error, for ``manage.py send_queued_mail``
(cron, every minute), which tries again after a back-off: 1 minute, then 2, 4, … up to an hour.

Never twice: an email is claimed before it is sent (one conditional UPDATE of ``claimed_until``,
which only one process wins, back-off or ``--all`` alike) and marked sent when the server took it; its Message-ID is the same on every
attempt, so a mail system can drop a copy if a process died between the two. After the mail
server failed, this process does not try at commit time for ``MAIL_RETRY_INTERVAL`` seconds
(the cron job does), so an approval does not wait on a hung server again and again.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import make_msgid
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import ngettext

from editorial.models import OutgoingMail

logger = logging.getLogger(__name__)

FIRST_RETRY = datetime.timedelta(minutes=1)
LONGEST_RETRY = datetime.timedelta(hours=1)
# Long enough for one attempt to end (EMAIL_TIMEOUT), so no other process takes the email over.
CLAIM = datetime.timedelta(minutes=10)

# time.monotonic() before which this process leaves sending to the cron job.
_server_down_until = 0.0


@dataclass
class Delivery:
    """What one ``deliver`` did."""

    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    error: str = ""

    @property
    def waiting(self) -> int:
        return OutgoingMail.objects.filter(sent_at__isnull=True).count()


def enqueue(kind: str, subject: str, text: str, html: str, recipients: list[str]) -> OutgoingMail | None:
    """Keep an email in the outbox with the current transaction, and send it once that commits."""
    recipients = sorted({address for address in recipients if address})
    if not recipients:
        return None
    mail = OutgoingMail.objects.create(
        kind=kind,
        subject=subject,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipients=recipients,
        body_text=text,
        body_html=html,
        message_id=make_msgid(domain="encyclopedia"),
    )
    transaction.on_commit(lambda: _deliver_now(mail.pk))
    return mail


def _deliver_now(pk: int) -> None:
    if time.monotonic() < _server_down_until:
        return  # the server failed a moment ago: the cron job sends it
    deliver(pks=[pk])


def retry_after(attempts: int) -> datetime.timedelta:
    """The back-off after ``attempts`` failed attempts: 1, 2, 4 … minutes, at most an hour."""
    return min(FIRST_RETRY * 2 ** max(0, attempts - 1), LONGEST_RETRY)


def message(mail: OutgoingMail) -> EmailMultiAlternatives:
    """The email as sent, the same on every attempt."""
    email = EmailMultiAlternatives(
        mail.subject,
        mail.body_text,
        mail.from_email,
        mail.recipients,
        headers={"Message-ID": mail.message_id},
    )
    if mail.body_html:
        email.attach_alternative(mail.body_html, "text/html")
    return email


def _claim(pk: int, now: datetime.datetime, *, ignore_back_off: bool) -> bool:
    """Take the email for this process; False if it was sent, or another process has it."""
    free = OutgoingMail.objects.filter(pk=pk, sent_at__isnull=True).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )
    if not ignore_back_off:
        free = free.filter(next_attempt_at__lte=now)
    return bool(free.update(claimed_until=now + CLAIM))


def _failed(mail: OutgoingMail, error: Exception, delivery: Delivery) -> None:
    """Keep ``mail`` with the reason it was not sent, for the next attempt after its back-off."""
    delivery.failed.append(mail.pk)
    delivery.error = f"{type(error).__name__}: {error}"
    attempts = mail.attempts + 1
    OutgoingMail.objects.filter(pk=mail.pk).update(
        attempts=attempts,
        next_attempt_at=timezone.now() + retry_after(attempts),
        claimed_until=None,
        last_error=delivery.error[:2000],
    )


def deliver(pks: list[int] | None = None, *, ignore_back_off: bool = False) -> Delivery:
    """Send what is due (or the emails ``pks``), oldest first; what the server refuses waits.

    A failure to reach the server ends the run (the rest would fail the same way, each after a
    timeout); a refusal of one email (a recipient refused), or an email that cannot be made (a
    header Django refuses), only that email's attempt: it waits with its error, the rest go.
    """
    global _server_down_until
    now = timezone.now()
    unsent = OutgoingMail.objects.filter(sent_at__isnull=True)
    if pks is not None:
        unsent = unsent.filter(pk__in=pks)
    elif not ignore_back_off:
        unsent = unsent.filter(next_attempt_at__lte=now)
    delivery = Delivery()
    connection = get_connection(fail_silently=False)
    try:
        for pk in unsent.order_by("created_at", "pk").values_list("pk", flat=True):
            if not _claim(pk, now, ignore_back_off=ignore_back_off or pks is not None):
                continue
            mail = OutgoingMail.objects.get(pk=pk)
            try:
                email = message(mail)
                email.connection = connection
                email.send()
            except (smtplib.SMTPException, OSError) as error:
                _failed(mail, error, delivery)
                if not isinstance(error, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError):
                    _server_down_until = time.monotonic() + settings.MAIL_RETRY_INTERVAL
                    break
            except Exception as error:  # one email that cannot be made must not hold up the rest
                logger.exception("Outgoing email %d cannot be sent", pk)
                _failed(mail, error, delivery)
            else:
                delivery.sent.append(pk)
                OutgoingMail.objects.filter(pk=pk).update(
                    sent_at=timezone.now(), attempts=F("attempts") + 1, claimed_until=None
                )
    finally:
        try:
            connection.close()
        except (smtplib.SMTPException, OSError):
            logger.debug("Closing the SMTP connection failed", exc_info=True)
    if delivery.failed:
        logger.warning(
            ngettext(
                "Mail server refused %d email (%s); it waits in the outbox for send_queued_mail",
                "Mail server refused %d emails (%s); they wait in the outbox for send_queued_mail",
                len(delivery.failed),
            ),
            len(delivery.failed),
            delivery.error,
        )
    return delivery
