"""python manage.py send_review_reminders [--dry-run] : one digest a day per reviewer."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from editorial.reminders import digests, send_digests


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
            for digest in planned:
                self.stdout.write(
                    f"To: {digest.email}\nSubject: {digest.subject()}\n\n{digest.body()}\n{'-' * 60}"
                )
            self.stdout.write(f"Dry run: {len(planned)} digests would be sent; nothing was sent.")
            return
        sent, skipped = send_digests(today)
        for digest in sent:
            self.stdout.write(f"Sent to {digest.email}: {digest.count} articles")
        for digest in skipped:
            self.stdout.write(f"Skipped {digest.email}: already reminded today")
        self.stdout.write(f"{len(sent)} digests sent, {len(skipped)} skipped (already sent today).")
