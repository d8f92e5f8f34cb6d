"""Operators: list one meter's faults (storingen), as text or as JSON."""

import json

from django.core.management.base import BaseCommand, CommandError

from meters.models import Meter
from meters.selectors.faults import faults_for_meter


class Command(BaseCommand):
    help = (
        "List a meter's faults, oldest first. --json prints an array of objects with type, status, "
        "severity, started and resolved (local dates YYYY-MM-DD; resolved null while open), "
        "resolution_reason, assignee and evidence."
    )

    def add_arguments(self, parser):
        parser.add_argument("--ean", required=True)
        parser.add_argument("--json", dest="as_json", action="store_true", help="print JSON instead of text")

    def handle(self, *args, ean, as_json: bool = False, **options):
        meter = Meter.objects.filter(ean=ean.strip()).first()
        if meter is None:
            raise CommandError(f"no meter with EAN {ean}")
        faults = faults_for_meter(meter=meter).select_related("assignee")
        rows = [
            {
                "id": fault.pk,
                "type": fault.type,
                "status": fault.status,
                "severity": fault.severity,
                "started": fault.started.isoformat(),
                "resolved": fault.resolved.isoformat() if fault.resolved else None,
                "resolution_reason": fault.resolution_reason,
                "assignee": fault.assignee.email if fault.assignee else None,
                "evidence": fault.evidence,
            }
            for fault in faults
        ]
        if as_json:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for row in rows:
            self.stdout.write(
                f"{row['started']} – {row['resolved'] or '…'}  {row['type']:<18} {row['status']}"
            )
