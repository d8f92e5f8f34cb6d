"""The fault-detection tasks (meters.tasks) run by a real Celery worker through Redis, as beat queues them."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection

from ilusmart import clock
from ilusmart.tasks import ping
from meters.models import Fault
from meters.tasks import detect_faults_all
from tests.factories import MandateFactory, MeterFactory, UserFactory
from tests.processes import celery_worker


@pytest.fixture
def worker(transactional_db):
    proc = celery_worker(database_name=connection.settings_dict["NAME"])
    yield proc
    proc.stop()


def _meter_with_mandate(**mandate_fields):
    owner = UserFactory()
    meter = MeterFactory(owner=owner)
    MandateFactory(user=owner, ean=meter.ean, **mandate_fields)
    return meter


def test_beat_queues_detection_for_every_meter_and_a_worker_runs_each(worker):
    # Approved ten days ago and not one reading since: stale. Rejected: the homeowner must act.
    stale = _meter_with_mandate(approved_at=clock.now() - timedelta(days=10))
    rejected = _meter_with_mandate(status="Rejected", approved_at=None, ended_at=clock.now())
    quiet = MeterFactory()  # no mandate, no data: nothing to report

    queued = detect_faults_all.delay().get(timeout=60)
    # One worker, one task at a time, first in first out: once this answers, the per-meter
    # tasks queued before it have run.
    assert ping.delay("na").get(timeout=60) == "pong:na"

    assert queued == 3
    assert list(Fault.objects.filter(meter=stale).values_list("type", "status")) == [("feed_stale", "open")]
    assert list(Fault.objects.filter(meter=rejected).values_list("type", "status")) == [
        ("mandate_action", "open")
    ]
    assert not Fault.objects.filter(meter=quiet).exists()
    assert worker.output().count("meters.detect_faults_meter") >= 3


def test_the_daily_detection_is_in_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["detect-faults-daily"]
    assert entry["task"] == "meters.detect_faults_all"
    sync = settings.CELERY_BEAT_SCHEDULE["sync-all-daily"]["schedule"]
    # After the daily pull of the same morning (UTC).
    assert min(entry["schedule"].hour) > max(sync.hour)
