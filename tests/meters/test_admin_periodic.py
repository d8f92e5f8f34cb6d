"""The periodic tasks' page in the admin (meters/admin_periodic.py)."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from meters.selectors.periodic import DESCRIPTIONS
from meters.services.periodic import periodic_run_finished, periodic_run_started

pytestmark = pytest.mark.django_db


def test_support_reads_what_runs_when_and_how_the_last_run_went(staff_user, admin_login):
    client = admin_login(Client(), staff_user("support"))
    periodic_run_started(entry="sync-all-daily", task="meters.sync_all_daily", task_id="1")
    periodic_run_finished(
        entry="sync-all-daily",
        task="meters.sync_all_daily",
        task_id="1",
        outcome="failure",
        summary="SyncBusy: bezig",
    )

    page = client.get(reverse("admin:meters_periodictaskrun_changelist"))

    assert page.status_code == 200
    for entry in settings.CELERY_BEAT_SCHEDULE:
        assert entry in page.text
        assert str(DESCRIPTIONS[entry]) in page.text
    assert "Elk uur" in page.text
    assert "Belgische tijd" in page.text
    assert "SyncBusy: bezig" in page.text
    assert "mislukt" in page.text
    assert "nog niet gelopen" in page.text  # the entries without a recorded run


def test_a_run_is_read_only(staff_user, admin_login):
    client = admin_login(Client(), staff_user("superuser"))
    periodic_run_started(entry="sync-all-daily", task="meters.sync_all_daily", task_id="1")
    from meters.models import PeriodicTaskRun

    run = PeriodicTaskRun.objects.get()
    url = reverse("admin:meters_periodictaskrun_change", args=[run.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"outcome": "success"}).status_code == 403
    run.refresh_from_db()
    assert run.outcome == "running"
