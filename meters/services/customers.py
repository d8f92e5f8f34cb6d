"""Writes of the support console (meters/admin_customers.py): contact notes, a re-sync of a meter
for a date range (queued), and a new mandate link mailed to the homeowner.

The rebuild of a meter's daily totals is ``meters.services.ingest.daily_totals_rebuild`` (the
only writer of that table). Services know nothing of HTTP: they raise ``CustomerActionRefused``
with a message for people and a code, and the admin turns it into a message on the page.
"""

from __future__ import annotations

from datetime import date, timedelta

from celery import current_app
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from consents.models import Mandate
from consents.selectors.mandates import mandate_current
from ilusmart import clock
from ilusmart.errors import CONFLICT, FORBIDDEN, NOT_FOUND, ApplicationError
from meters.models import ContactNote, Meter

NOTE_MAX_LENGTH = 5000


class CustomerActionRefused(ApplicationError):
    """A console action that cannot be done as asked; ``message`` says why, for support to read."""


def _is_customer(user) -> bool:
    return user is not None and not (user.is_staff or user.is_superuser)


def contact_note_add(*, customer, author, kind: str, text: str, meter: Meter | None = None) -> ContactNote:
    """Write down a contact with ``customer`` (a call, mail or visit) or a note, by ``author``, now.

    Notes are kept as written: there is no service to change or delete one.
    """
    if not _is_customer(customer):
        raise CustomerActionRefused(
            _("Notities horen bij een klant, niet bij een medewerker."), code="not_customer", kind=NOT_FOUND
        )
    if kind not in ContactNote.Kind.values:
        raise CustomerActionRefused(
            _("Kies of het een telefoon, e-mail, bezoek of notitie was."), code="kind"
        )
    text = (text or "").strip()
    if not text:
        raise CustomerActionRefused(_("Schrijf op wat er gezegd of gedaan is."), code="empty")
    if len(text) > NOTE_MAX_LENGTH:
        raise CustomerActionRefused(
            _("Een notitie is hoogstens %(max)d tekens lang.") % {"max": NOTE_MAX_LENGTH}, code="too_long"
        )
    if meter is not None and meter.owner_id != customer.pk:
        raise CustomerActionRefused(
            _("Die meter is niet van deze klant."), code="not_their_meter", kind=NOT_FOUND
        )
    return ContactNote.objects.create(
        customer=customer, meter=meter, kind=kind, author=author, at=clock.now(), text=text
    )


def meter_resync_request(*, meter: Meter, first: date, last: date) -> None:
    """Queue a fetch of ``meter``'s quarter-hours for the local days ``[first, last]`` from Fluvius.

    Checked first, so support reads why it cannot happen: the meter has a customer with an
    active mandate, the range ends by today, and starts within what Fluvius keeps. The task
    (``meters.sync_meter_range``, on the back-fill queue so it does not wait behind the nightly
    pull) is sent after the surrounding transaction commits; the fetch merges like every sync,
    so repeating it changes nothing.
    """
    today = clock.local_today()
    if meter.owner_id is None:
        raise CustomerActionRefused(_("Deze meter hoort bij geen klant."), code="no_customer", kind=CONFLICT)
    if last < first:
        raise CustomerActionRefused(_("De einddatum ligt voor de begindatum."), code="range")
    if last > today:
        raise CustomerActionRefused(_("Gegevens van na vandaag bestaan nog niet."), code="range")
    oldest = today - timedelta(days=settings.FLUVIUS_MANDATE_HISTORY_DAYS)
    if first < oldest:
        raise CustomerActionRefused(
            _("Fluvius bewaart gegevens tot ongeveer 3 jaar terug: kies een begindatum vanaf %(date)s.")
            % {"date": oldest.strftime("%d/%m/%Y")},
            code="range",
        )
    mandate = mandate_current(user=meter.owner, ean=meter.ean)
    if mandate is None or mandate.status != Mandate.Status.APPROVED:
        raise CustomerActionRefused(
            _(
                "Er is geen actief mandaat voor deze meter: Fluvius geeft geen gegevens. Stuur de klant een nieuwe link."
            ),
            code="no_mandate",
            kind=FORBIDDEN,
        )
    args = [meter.pk, first.isoformat(), last.isoformat()]
    queue = settings.CELERY_BACKFILL_QUEUE
    transaction.on_commit(lambda: current_app.send_task("meters.sync_meter_range", args=args, queue=queue))


def mandate_link_send(*, customer, by) -> ContactNote:
    """Mail ``customer`` the portal's page to (re)connect their meter with Fluvius, and note it.

    The mail is in the portal's language (Dutch) and points at ``SITE_URL``; the contact note
    (an e-mail, by ``by``) is the record that it was sent.
    """
    if not _is_customer(customer):
        raise CustomerActionRefused(
            _("Een mandaatlink gaat alleen naar klanten."), code="not_customer", kind=NOT_FOUND
        )
    if not customer.is_active or not customer.email:
        raise CustomerActionRefused(
            _("Dit account is niet actief: er kan geen mail naartoe."), code="inactive", kind=CONFLICT
        )
    profile = getattr(customer, "profile", None)
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "first_name": profile.first_name if profile else "",
            "link": settings.SITE_URL + reverse("meters:list"),
        }
        subject = render_to_string("meters/email/mandate_link_subject.txt", context).strip()
        body = render_to_string("meters/email/mandate_link_body.txt", context)
        note_text = _("Nieuwe link gemaild om de meter (opnieuw) te verbinden met Fluvius.")
    with transaction.atomic():
        note = ContactNote.objects.create(
            customer=customer, kind=ContactNote.Kind.EMAIL, author=by, at=clock.now(), text=note_text
        )
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [customer.email])
    return note
