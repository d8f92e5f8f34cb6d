"""A paused person (consents.services.restriction): no sync from Fluvius, no fault mail; both resume.

Real simulator over HTTP, real PostgreSQL; the daily sync task runs in-process through Celery's
``apply`` (the worker path is tested in test_tasks.py).
"""

import pytest
from django.core import mail

from consents.models import FetchRefusal, ProcessingRestriction
from consents.services.restriction import restriction_lift, restriction_start
from meters.models import Fault, ReadingDay
from meters.services.faults import fault_email_send
from meters.services.sync import meters_due_for_daily_sync
from meters.tasks import sync_meter_daily
from tests.factories import MeterFactory
from tests.meters.conftest import energy_requests, local_today

pytestmark = pytest.mark.django_db

HOMEOWNER = ProcessingRestriction.Source.HOMEOWNER


def test_a_pause_stops_the_next_sync_and_lifting_it_restarts_it(sim, connected_meter):
    meter, _mandate = connected_meter(days=10)
    owner = meter.owner
    assert meter in meters_due_for_daily_sync()

    restriction_start(user=owner, source=HOMEOWNER, by=owner)
    before = len(energy_requests(sim))
    assert meter not in meters_due_for_daily_sync()  # beat does not even queue it
    outcome = sync_meter_daily.apply(args=[meter.pk]).get()
    assert outcome == {"skipped": "no active mandate"}
    assert len(energy_requests(sim)) == before  # Fluvius was not asked
    assert not ReadingDay.objects.filter(meter=meter).exists()
    assert FetchRefusal.objects.filter(user=owner, reason__contains="restricted").count() == 1

    restriction_lift(user=owner, by=owner)
    assert meter in meters_due_for_daily_sync()
    outcome = sync_meter_daily.apply(args=[meter.pk]).get()
    assert outcome["requests"] >= 1
    assert len(energy_requests(sim)) > before
    assert ReadingDay.objects.filter(meter=meter).exists()


def test_a_pause_stops_fault_mails_and_lifting_it_restarts_them():
    meter = MeterFactory(fault_email=True)
    fault = Fault.objects.create(meter=meter, type=Fault.Type.FEED_STALE, started=local_today())

    restriction_start(user=meter.owner, source=HOMEOWNER, by=meter.owner)
    fault_email_send(fault_id=fault.pk)
    assert mail.outbox == []

    restriction_lift(user=meter.owner, by=meter.owner)
    fault_email_send(fault_id=fault.pk)
    assert [m.to for m in mail.outbox] == [[meter.owner.email]]
