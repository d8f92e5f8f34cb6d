"""Operator path of the DPO who verified a request by other means (issue 10)."""

from django.core.management.base import BaseCommand, CommandError

from privacy.models import ErasureReceipt
from privacy.services.erasure import person_erase

WHAT = {"personal", "meter"}


class Command(BaseCommand):
    help = (
        "Erase (--permanent) or pause (--temporary) the data of the person with --email: "
        "--what personal,meter. The same service as the DPO's queue, leaving the same receipt."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--what", required=True, help="personal, meter or personal,meter")
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument("--permanent", action="store_true")
        mode.add_argument("--temporary", action="store_true")
        parser.add_argument("--reason", required=True, help="how the request was verified; names no one")
        parser.add_argument("--no-mail", action="store_true", help="send the person no confirmation")

    def handle(self, *args, email, what, permanent, temporary, reason, no_mail, **options):
        parts = {p.strip() for p in what.split(",") if p.strip()}
        if not parts or parts - WHAT:
            raise CommandError("--what takes personal, meter or personal,meter")
        if not reason.strip():
            raise CommandError("--reason must say how the request was verified")
        outcome = person_erase(
            email=email,
            personal="personal" in parts,
            meter="meter" in parts,
            permanent=permanent,
            reason=reason.strip(),
            via=ErasureReceipt.Via.COMMAND,
            notify=not no_mail,
        )
        if outcome.receipt is None:
            self.stdout.write("nothing (left) to erase for that address; no receipt written")
            return
        receipt = outcome.receipt
        counts = ", ".join(f"{label} {n}" for label, n in sorted(receipt.counts.items())) or "-"
        self.stdout.write(f"receipt {receipt.uuid} ({receipt.get_mode_display()}): {counts}")
