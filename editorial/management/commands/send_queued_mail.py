"""python manage.py send_queued_mail [--all] : send the email the mail server did not take yet."""

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from editorial import outbox


class Command(BaseCommand):
    help = (
        "Send the workflow's emails that wait in the outbox (the mail server refused them or was "
        "down), each after its back-off; none is sent twice. Run it every minute from cron."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--all",
            action="store_true",
            help="Try every unsent email now, back-off or not (once the mail server is fixed).",
        )

    def handle(self, *args, all: bool, **options) -> None:
        delivery = outbox.deliver(ignore_back_off=all)
        waiting = delivery.waiting
        sent, refused = len(delivery.sent), len(delivery.failed)
        self.stdout.write(
            ngettext("%(count)d email sent", "%(count)d emails sent", sent) % {"count": sent}
            + f", {refused} refused, {waiting} waiting."
        )
        if delivery.failed:
            self.stderr.write(f"The mail server refused: {delivery.error}")
