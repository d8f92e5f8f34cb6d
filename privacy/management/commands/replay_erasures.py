"""After restoring the database from a backup: apply again the erasures made since (issue 10)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from privacy.services.erasure import erasures_replay


class Command(BaseCommand):
    help = (
        "Re-apply every erasure in the ledger (ERASURE_LEDGER_PATH) executed on or after --since YYYY-MM-DD."
    )

    def add_arguments(self, parser):
        parser.add_argument("--since", required=True, help="the date of the backup that was restored")

    def handle(self, *args, since, **options):
        try:
            day = date.fromisoformat(since)
        except ValueError as error:
            raise CommandError("--since takes a date: YYYY-MM-DD") from error
        result = erasures_replay(since=day)
        self.stdout.write(f"{result.entries} receipts since {day}; {result.applied} erasures applied again")
