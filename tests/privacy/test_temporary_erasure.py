"""A temporary erasure request (issue 10) is the processing restriction: confirmed by mail, it stops
the person's next sync and campaign; lifting it resumes both. Real simulator, real sync task."""

import re

import pytest
from django.core import mail

from consents.services.communications import communication_choose
from consents.services.restriction import restriction_lift
from meters.models import ReadingDay
from meters.tasks import sync_meter_daily
from privacy.models import Campaign
from privacy.services.campaigns import campaign_send_batch, campaign_start
from privacy.services.deletion_mail import deletion_mail_parse
from privacy.services.deletion_requests import deletion_request_confirm, deletion_request_from_mail
from tests.meters.conftest import energy_requests

pytestmark = pytest.mark.django_db


def campaign_to(staff, capture, subject: str) -> list[str]:
    campaign = Campaign.objects.create(
        channel="email", topic="newsletter", subject=subject, body="Beste klant"
    )
    with capture(execute=False):
        campaign_start(campaign=campaign, by=staff)
    mail.outbox.clear()
    while campaign_send_batch(campaign_id=campaign.pk):
        pass
    return [m.to[0] for m in mail.outbox]


def test_a_confirmed_temporary_request_stops_sync_and_campaign_until_lifted(
    sim, connected_meter, staff_user, django_capture_on_commit_callbacks
):
    meter, _mandate = connected_meter(days=10)
    owner = meter.owner
    staff = staff_user("support")
    communication_choose(user=owner, channel="email", topic="newsletter", opted_in=True, source="page")
    raw = (
        f"From: {owner.email}\r\nSubject: Pauze\r\nMessage-ID: <pauze@x.be>\r\n\r\n"
        "Graag mijn gegevens tijdelijk niet meer verwerken.\r\n"
    ).encode()
    with django_capture_on_commit_callbacks(execute=True):
        request = deletion_request_from_mail(parsed=deletion_mail_parse(raw))
    token = re.search(r"/privacy/verzoek/([^/\s]+)/", mail.outbox[-1].body).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        request = deletion_request_confirm(token=token)
    assert (request.status, request.mode) == ("executed", "temporary")

    before = len(energy_requests(sim))
    assert sync_meter_daily.apply(args=[meter.pk]).get() == {"skipped": "no active mandate"}
    assert len(energy_requests(sim)) == before and not ReadingDay.objects.filter(meter=meter).exists()
    assert owner.email not in campaign_to(staff, django_capture_on_commit_callbacks, "Eerste")

    restriction_lift(user=owner, by=owner)
    assert sync_meter_daily.apply(args=[meter.pk]).get()["requests"] >= 1
    assert ReadingDay.objects.filter(meter=meter).exists()
    assert owner.email in campaign_to(staff, django_capture_on_commit_callbacks, "Tweede")
