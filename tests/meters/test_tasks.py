"""The tasks of meters.tasks (fault detection, CSV import) run by a real Celery worker through Redis."""

import time
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


def test_a_worker_imports_an_uploaded_csv_file_and_deletes_it(worker, settings):
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile

    from meters.models import ReadingDay, ReadingImport, ReadingImportFile
    from meters.services.csv_import import readings_csv_upload

    fixtures = Path(settings.BASE_DIR).parent / "shared" / "fixtures" / "mijn-fluvius-csv"
    english = next(fixtures.glob("Consumption_history_electricity_*"))
    settings.FLUVIUS_ALLOW_TEST_EANS = True
    meter = MeterFactory(ean="123456879123456789")
    upload = SimpleUploadedFile(english.name, english.read_bytes(), content_type="text/csv")

    record = readings_csv_upload(meter=meter, file=upload, uploaded_by=meter.owner)  # queued on commit

    for _ in range(240):
        record.refresh_from_db()
        if record.status in (ReadingImport.Status.IMPORTED, ReadingImport.Status.REJECTED):
            break
        time.sleep(0.25)
    assert record.status == ReadingImport.Status.IMPORTED, record.summary
    assert record.summary["values_imported"] == 13638
    assert ReadingDay.objects.filter(meter=meter).count() == 71
    assert not ReadingImportFile.objects.exists()
