"""The Celery app against the real Redis broker, and /healthz against the real services."""

import pytest
from django.conf import settings
from django.db import connection

from ilusmart.tasks import ping
from tests.processes import celery_worker


@pytest.fixture
def worker(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        proc = celery_worker(database_name=connection.settings_dict["NAME"])
    yield proc
    proc.stop()


def test_a_real_worker_runs_a_task_through_redis(worker):
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    result = ping.delay("zon")
    assert result.get(timeout=30) == "pong:zon"
    assert "ilusmart.ping" in worker.output()


def test_celery_is_configured_for_safe_delivery():
    from ilusmart.celery import app

    conf = app.conf
    assert conf.accept_content == ["json"]
    assert conf.task_serializer == "json"
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "checks": {"database": "ok", "broker": "ok"}}


@pytest.mark.django_db
def test_healthz_reports_a_broker_that_is_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("error")
    assert response.json()["checks"]["database"] == "ok"


def test_backfills_have_a_queue_of_their_own_that_workers_consume():
    from ilusmart.celery import app
    from tests.processes import celery_worker_argv

    backfill_queue = settings.CELERY_BACKFILL_QUEUE
    assert backfill_queue != settings.CELERY_TASK_DEFAULT_QUEUE
    assert app.amqp.router.route({}, "meters.backfill_meter")["queue"].name == backfill_queue
    assert (
        app.amqp.router.route({}, "meters.sync_meter_daily")["queue"].name
        == settings.CELERY_TASK_DEFAULT_QUEUE
    )
    argv = celery_worker_argv(queue=settings.CELERY_TASK_DEFAULT_QUEUE, concurrency=1, name="t")
    assert argv[argv.index("--queues") + 1].split(",") == [settings.CELERY_TASK_DEFAULT_QUEUE, backfill_queue]
