"""The access audit: who of staff opened whose personal data, what and when (append-only).

Call ``access_record`` wherever staff open a customer's personal data: the user (and profile)
page in admin today; the customer view, readings charts and exports in admin as they come. It
stores ids and the name of the page, never a value of the data.
"""

from accounts.models import AccessRecord


def access_record(*, staff, customer_id: int, what: str) -> AccessRecord:
    """Write one access record: ``staff`` opened customer ``customer_id``'s data on page ``what``."""
    return AccessRecord.objects.create(staff_id=staff.pk, customer_id=customer_id, what=what[:100])


def access_records_write(*, staff, customer_ids, what: str) -> int:
    """Write one access record per customer in ``customer_ids`` (a list of addresses, an export)."""
    rows = [AccessRecord(staff_id=staff.pk, customer_id=pk, what=what[:100]) for pk in customer_ids]
    AccessRecord.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
