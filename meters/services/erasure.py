"""The meters app's share of erasing a person (issue 10): readings, totals, faults, meters.

Meter data (any erasure of it, and every personal erasure, as the data map says: a household's
quarter-hour profile cannot be made anonymous) goes first, in bulk: readings, daily totals,
sync state, failed syncs, CSV-import audits, faults and their notes. A personal erasure then
deletes products and support's contact notes and anonymises the meter row (no owner, no label,
no number, the EAN as a keyed hash), which stays so nothing that points at it breaks.
"""

from ilusmart.erasure import ErasureJob, ean_hash
from meters.models import Meter

# Rows found through the meter's owner must go before the meter loses its owner.
ORDER = (
    "meters.faultnote",
    "meters.fault",
    "meters.readingimport",
    "meters.syncdeadletter",
    "meters.metersyncstate",
    "meters.dailytotal",
    "meters.readingday",
    "meters.product",
    "meters.contactnote",
)


def eans_held_by_others(*, eans, user_id: int) -> frozenset[str]:
    """The EANs among ``eans`` whose meter another customer holds now (their EAN stays readable)."""
    return frozenset(
        Meter.objects.filter(ean__in=list(eans), owner__isnull=False)
        .exclude(owner_id=user_id)
        .values_list("ean", flat=True)
    )


def meters_erase(*, job: ErasureJob) -> None:
    """Erase ``job.person``'s meter data (and, for a personal erasure, their meters' identity)."""
    for label in ORDER:
        job.erase(label)
    for label in job.labels("meters"):
        if label not in ORDER and label != "meters.meter":
            job.erase(label)  # a model added later: as the map says
    job.erase("meters.meter", replace={"ean": ean_hash})
