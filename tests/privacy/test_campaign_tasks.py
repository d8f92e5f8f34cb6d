"""A campaign sent by a real Celery worker through Redis, into the file mail backend.

The worker gets ``CAMPAIGN_BATCH_SIZE=2`` and ``EMAIL_URL=filemail://<dir>``: every mail it sends
is a file there, read back here with the ``email`` package, headers and all.
"""

import email
import time
from pathlib import Path

import pytest
from celery import current_app
from django.db import connection

from consents.services.communications import communication_choose
from consents.services.restriction import restriction_lift, restriction_start
from ilusmart.tasks import ping
from privacy.models import Campaign
from privacy.services.campaigns import SEND_TASK, campaign_start
from tests.factories import ProfileFactory, UserFactory
from tests.processes import celery_worker

SEPARATOR = b"\n" + b"-" * 79 + b"\n"


@pytest.fixture
def mail_dir(tmp_path):
    return tmp_path / "mail"


@pytest.fixture
def worker(transactional_db, mail_dir):
    proc = celery_worker(
        database_name=connection.settings_dict["NAME"],
        # django-environ reads filemail:///tmp/x as the relative path tmp/x: an absolute path needs four slashes.
        env={"EMAIL_URL": f"filemail:///{mail_dir}", "CAMPAIGN_BATCH_SIZE": "2"},
    )
    yield proc
    proc.stop()


def sent_messages(mail_dir: Path) -> list[email.message.Message]:
    messages = []
    for path in sorted(mail_dir.glob("*.log")) if mail_dir.exists() else []:
        for chunk in path.read_bytes().split(SEPARATOR):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk))
    return messages


def opted_in():
    person = ProfileFactory().user
    communication_choose(user=person, channel="email", topic="newsletter", opted_in=True, source="page")
    return person


def wait_until_sent(campaign: Campaign, worker, timeout: float = 120) -> Campaign:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        campaign.refresh_from_db()
        if campaign.status == Campaign.Status.SENT:
            return campaign
        time.sleep(0.3)
    raise AssertionError(f"campaign not sent in time:\n{worker.output()[-4000:]}")


def send(subject: str, by, worker) -> Campaign:
    campaign = Campaign.objects.create(channel="email", topic="newsletter", subject=subject, body="Nieuws.")
    campaign_start(campaign=campaign, by=by)  # autocommit: queued at once
    return wait_until_sent(campaign, worker)


def test_the_worker_sends_in_batches_to_opted_in_people_once_each(worker, mail_dir):
    staff = UserFactory(is_staff=True)
    people = [opted_in() for _ in range(5)]
    UserFactory()  # never opted in
    paused = opted_in()
    restriction_start(user=paused, source="homeowner", by=paused)

    campaign = send("Zomernieuws", staff, worker)

    messages = sent_messages(mail_dir)
    assert sorted(m["To"] for m in messages) == sorted(p.email for p in people)
    for message in messages:
        assert (
            message["List-Unsubscribe"].startswith("<http")
            and "/communicatie/afmelden/" in message["List-Unsubscribe"]
        )
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["Subject"] == "Zomernieuws"
    assert campaign.batches_done == 3  # 5 people, 2 per batch, one task run per batch
    assert sorted(campaign.deliveries.values_list("batch", flat=True)) == [1, 1, 2, 2, 3]
    assert set(campaign.deliveries.values_list("status", flat=True)) == {"sent"}
    assert worker.output().count(f"{SEND_TASK}[") >= 3

    # The task delivered again (a redelivery, an operator re-queueing it): nobody is mailed twice.
    current_app.send_task(SEND_TASK, args=[campaign.pk])
    assert ping.delay("na").get(timeout=60) == "pong:na"  # one worker, first in first out
    assert len(sent_messages(mail_dir)) == 5

    # Resuming restarts campaigns for the paused person: the next one reaches them.
    restriction_lift(user=paused, by=paused)
    send("Herfstnieuws", staff, worker)
    autumn = [m["To"] for m in sent_messages(mail_dir) if m["Subject"] == "Herfstnieuws"]
    assert sorted(autumn) == sorted([p.email for p in people] + [paused.email])
