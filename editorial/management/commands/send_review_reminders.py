"""python manage.py send_review_reminders [--dry-run] : one digest a day per reviewer."""

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import ngettext

from editorial.models import OutgoingMail
from editorial.reminders import already_sent, digests, send_digests, unreachable


class Command(BaseCommand):
    help = (
        "Email each reviewer one digest of their overdue and due-soon articles, at most once a day "
        "(running it again the same day sends nothing new)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Print the digests; send and record nothing."
        )

    def handle(self, *args, dry_run: bool, **options) -> None:
        today = timezone.localdate()
        if dry_run:
            planned = digests(today)
            sent_today = already_sent(today)
            for digest in planned:
                note = (
                    " (already sent today: a real run skips it)" if digest.reviewer.pk in sent_today else ""
                )
                self.stdout.write(
                    f"To: {digest.email}{note}\nSubject: {digest.subject()}\n\n{digest.body()}\n{'-' * 60}"
                )
            waiting = sum(digest.reviewer.pk not in sent_today for digest in planned)
            self.stdout.write(
                ngettext(
                    "Dry run: %(count)d digest would be sent; nothing was sent.",
                    "Dry run: %(count)d digests would be sent; nothing was sent.",
                    waiting,
                )
                % {"count": waiting}
            )
        else:
            sent, skipped = send_digests(today)
            for digest in sent:
                self.stdout.write(
                    f"Sent to {digest.email}: "
                    + ngettext("%(count)d article", "%(count)d articles", digest.count)
                    % {"count": digest.count}
                )
            for digest in skipped:
                self.stdout.write(f"Skipped {digest.email}: already reminded today")
            self.stdout.write(
                ngettext("%(count)d digest sent", "%(count)d digests sent", len(sent)) % {"count": len(sent)}
                + f", {len(skipped)} skipped (already sent today)."
            )
            waiting = OutgoingMail.objects.filter(sent_at__isnull=True, kind="review_reminder").count()
            if waiting:
                self.stdout.write(
                    ngettext(
                        "%(count)d digest waits in the outbox: the mail server did not take it; "
                        "send_queued_mail sends it again (no digest is sent twice).",
                        "%(count)d digests wait in the outbox: the mail server did not take them; "
                        "send_queued_mail sends them again (no digest is sent twice).",
                        waiting,
                    )
                    % {"count": waiting}
                )
        nobody = unreachable(today)
        if nobody:
            listed = ", ".join(f"{a.public_id} “{a.title}”" for a in nobody)
            self.stdout.write(
                f"Due, but no reviewer with a login and an email to remind: {listed}. "
                "Link the reviewer to a login, or assign a specialty queue."
            )
