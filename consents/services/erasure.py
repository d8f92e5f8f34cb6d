"""The consents app's share of erasing a person (issue 10): mandates, refused fetches, pauses.

Mandates are ended first, whatever is erased: Fluvius's API has no call for a provider to end
a mandate (../shared/domain/fluvius-api.md: only the customer revokes it, in Mijn Fluvius), so
we end it here for good (``EndReason.ERASED``; the status poll then leaves it alone and the
fetch gate finds no approved mandate). A personal erasure then anonymises the mandate as the
data map says: no person, the reference and the EAN replaced by keyed hashes — the EAN kept in
the clear only when another customer holds that meter now, since then it is theirs too.
"""

from django.db.models import Q

from consents.models import FetchRefusal, Mandate
from ilusmart import clock
from ilusmart.erasure import ErasureJob, ean_hash, reference_hash

ORDER = ("consents.processingrestriction", "consents.fetchrefusal", "consents.mandate")


def mandates_end_for_erasure(*, user_id: int) -> int:
    """End every mandate of the person that is not ended yet (locally: Fluvius offers no call)."""
    now = clock.now()
    return (
        Mandate.objects.filter(user_id=user_id)
        .exclude(end_reason=Mandate.EndReason.ERASED)
        .update(
            status=Mandate.Status.FINISHED,
            end_reason=Mandate.EndReason.ERASED,
            ended_at=now,
            fetch_suspended_at=now,
        )
    )


def consents_erase(*, job: ErasureJob, eans_held_by_others: frozenset[str]) -> None:
    """Erase the consents rows of ``job.person``: mandates ended (both kinds), anonymised (personal)."""
    person = job.person
    ended = mandates_end_for_erasure(user_id=person.user_id)
    if ended:
        job.counts["consents.mandate (ended)"] = ended
    if not job.personal:
        return

    def ean(value):
        return value if value in eans_held_by_others else ean_hash(value)

    replace = {"ean": ean, "reference_number": reference_hash}
    for label in ORDER:
        job.erase(label, replace=replace)
    # Refused fetches recorded without a user but for one of their meters (the data map's note).
    anonymous = FetchRefusal.objects.filter(Q(user__isnull=True) & Q(ean__in=person.eans)).exclude(
        ean__in=eans_held_by_others
    )
    for refusal in anonymous:
        refusal.ean = ean_hash(refusal.ean)
        refusal.save(update_fields=["ean"])
        job.counts["consents.fetchrefusal"] = job.counts.get("consents.fetchrefusal", 0) + 1
    for label in job.labels("consents"):
        if label not in ORDER:
            job.erase(label)  # a model added later (cookie or communication consents): as the map says
