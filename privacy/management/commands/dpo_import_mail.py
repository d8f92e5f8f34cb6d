"""Import deletion requests from .eml files, as the DPO mailbox does (issue 10)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from privacy.models import DeletionRequest
from privacy.services.deletion_mail import MailRejected, deletion_mail_parse
from privacy.services.deletion_requests import deletion_request_from_mail


class Command(BaseCommand):
    help = "Turn each FILE.eml into a deletion request (the same file twice makes one request)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE.eml")

    def handle(self, *args, files, **options):
        refused = 0
        for name in files:
            path = Path(name)
            try:
                raw = path.read_bytes()
                request = deletion_request_from_mail(
                    parsed=deletion_mail_parse(raw), source=DeletionRequest.Source.FILE
                )
            except OSError as error:
                refused += 1
                self.stderr.write(f"{name}: cannot read the file ({error.strerror})")
            except MailRejected as rejected:
                refused += 1
                self.stderr.write(f"{name}: refused: {rejected.message}")
            else:
                self.stdout.write(
                    f"{name}: request {request.pk} ({request.get_status_display()}, due {request.due_on})"
                )
        if refused:
            self.stderr.write(f"{refused} of {len(files)} files refused")
