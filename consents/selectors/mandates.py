"""Reads on mandates, scoped to the homeowner."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from consents.models import Mandate
from ilusmart import clock

ENDING_SOON = timedelta(days=90)


@dataclass(frozen=True)
class MandateDisplay:
    """What the homeowner sees: a state, a sentence, and the next step."""

    state: str  # none | requested | active | ending_soon | rejected | ended
    label: str
    next_step: str


def mandates_for_user(*, user):
    """The user's mandates, newest first."""
    return Mandate.objects.filter(user=user).order_by("-requested_at", "-pk")


def _current_among(mandates: list[Mandate]) -> Mandate | None:
    """Of one user's mandates for one EAN (newest first): the approved one, else the newest."""
    approved = [mandate for mandate in mandates if mandate.status == Mandate.Status.APPROVED]
    return (approved or mandates or [None])[0]


def mandate_current(*, user, ean: str) -> Mandate | None:
    """The mandate that tells the state of `ean` for `user`: the approved one, else the newest."""
    return _current_among(list(mandates_for_user(user=user).filter(ean=ean)))


def mandates_current(*, user, eans, mandates: list[Mandate] | None = None) -> dict[str, Mandate | None]:
    """``mandate_current`` of each of ``eans``, in one query (the dashboard of several meters).

    ``mandates``: already read by ``mandates_of_user_and_eans`` (newest first); then no query.
    """
    by_ean: dict[str, list[Mandate]] = {ean: [] for ean in eans}
    if mandates is None:
        mandates = mandates_for_user(user=user).filter(ean__in=list(by_ean))
    for mandate in mandates:
        if mandate.user_id == user.pk and mandate.ean in by_ean:
            by_ean[mandate.ean].append(mandate)
    return {ean: _current_among(found) for ean, found in by_ean.items()}


# Raw SQL: the dashboard's read; compiling the ORM's query cost more than running it.
_USER_AND_EANS_SQL = """
SELECT * FROM consents_mandate
WHERE user_id = %s OR (ean = ANY(%s) AND approved_at IS NOT NULL)
ORDER BY requested_at DESC, id DESC
"""


def mandates_of_user_and_eans(*, user, eans) -> list[Mandate]:
    """In one query, newest first: every mandate of ``user`` (any EAN, any state) and every
    approved mandate of anyone for ``eans``.

    What the homeowner's dashboard needs of mandates at once: which days of their meters are
    theirs (every approved mandate of those EANs), each meter's current mandate (theirs), and
    their approved mandates for EANs they did not link.
    """
    return list(Mandate.objects.raw(_USER_AND_EANS_SQL, [user.pk, list(eans)]))


def mandate_display(*, mandate: Mandate | None, paused: bool = False) -> MandateDisplay:
    """The mandate's state told honestly, with what to do next (``paused``: the person paused
    processing, so nothing is fetched whatever the mandate says)."""
    if paused and mandate is not None and mandate.status == Mandate.Status.APPROVED:
        return MandateDisplay(
            "paused",
            _("Actief, verwerking gepauzeerd"),
            _(
                "Je hebt de verwerking gepauzeerd: we halen niets op bij Fluvius tot je ze hervat in Mijn gegevens."
            ),
        )
    if mandate is None:
        return MandateDisplay("none", _("Nog niet verbonden"), _("Verbind je meter via Mijn Fluvius."))
    if mandate.status == Mandate.Status.REQUESTED:
        return MandateDisplay(
            "requested",
            _("Aangevraagd, wacht op goedkeuring"),
            _(
                "Keur de aanvraag goed in Mijn Fluvius. Is de houder van het contract iemand anders, dan moet die goedkeuren."
            ),
        )
    if mandate.status == Mandate.Status.APPROVED:
        soon = mandate.renewal_status or (
            mandate.expires_at and mandate.expires_at - clock.now() < ENDING_SOON
        )
        if soon:
            return MandateDisplay(
                "ending_soon",
                _("Actief, loopt binnenkort af"),
                _("Verleng je toestemming in Mijn Fluvius, zodat je gegevens blijven binnenkomen."),
            )
        if mandate.fetch_suspended_at:
            return MandateDisplay(
                "requested",
                _("Actief, wordt nagekeken"),
                _("Fluvius weigerde een ophaling; we kijken de status na."),
            )
        return MandateDisplay("active", _("Actief"), _("Je meetgegevens worden elke dag opgehaald."))
    if mandate.status == Mandate.Status.REJECTED:
        return MandateDisplay(
            "rejected", _("Geweigerd"), _("Wil je toch verbinden? Start een nieuwe aanvraag.")
        )
    return MandateDisplay(
        "ended", _("Beëindigd"), _("Start een nieuwe aanvraag om weer gegevens te ontvangen.")
    )
