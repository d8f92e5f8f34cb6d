"""Campaigns (privacy/services/campaigns.py, privacy/admin.py) in the test's own process.

Django's mail outbox stands in for the mail server here; the same sending through a real Celery
worker and the file mail backend: tests/privacy/test_campaign_tasks.py. The choices and the
unsubscribe link themselves: tests/consents/test_communications.py.
"""

import csv
import io
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import AccessRecord
from consents.selectors.communications import communication_opted_in
from consents.services.communications import communication_choose
from consents.services.restriction import restriction_lift, restriction_start
from ilusmart.errors import http_status
from privacy.models import Campaign, CampaignDelivery
from privacy.selectors import campaign_progress
from privacy.services.campaigns import (
    CampaignRefused,
    _claim_batch,
    campaign_addresses_csv,
    campaign_send_batch,
    campaign_start,
)
from tests.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

ONE_CLICK = "List-Unsubscribe=One-Click"


def opted_in(channel="email", topic="newsletter", **user_fields):
    person = ProfileFactory(user=UserFactory(**user_fields)).user
    communication_choose(user=person, channel=channel, topic=topic, opted_in=True, source="page")
    return person


def a_campaign(channel="email", topic="newsletter", subject="Zonnig nieuws"):
    return Campaign.objects.create(
        channel=channel, topic=topic, subject=subject, body="Beste klant,\n\nDe zon schijnt."
    )


def start(campaign, by, capture):
    with capture(execute=False) as callbacks:
        campaign = campaign_start(campaign=campaign, by=by)
    assert len(callbacks) == 1  # the sending task is queued once, after commit
    return campaign


def send_all(campaign):
    while campaign_send_batch(campaign_id=campaign.pk):
        pass
    campaign.refresh_from_db()
    return campaign


@pytest.fixture
def staff(staff_user):
    return staff_user("support")


def test_only_opted_in_people_receive_it_each_with_both_unsubscribe_headers_and_a_visible_link(
    staff, django_capture_on_commit_callbacks
):
    yes = [opted_in() for _ in range(3)]
    opted_in(topic="survey")  # another topic
    opted_in(channel="post")  # another channel
    UserFactory()  # never chose
    opted_in(email_verified_at=None)  # address not confirmed
    said_no = opted_in()
    communication_choose(user=said_no, channel="email", topic="newsletter", opted_in=False, source="page")

    campaign = send_all(start(a_campaign(), staff, django_capture_on_commit_callbacks))

    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in yes)
    for message in mail.outbox:
        header = message.extra_headers["List-Unsubscribe"]
        assert header.startswith("<http") and header.endswith(">") and "/communicatie/afmelden/" in header
        assert message.extra_headers["List-Unsubscribe-Post"] == ONE_CLICK
        assert header[1:-1] in message.body  # the same link, visible
        assert "De zon schijnt." in message.body
        assert message.subject == "Zonnig nieuws"
        # the headers as sent: one plain line each (not folded into RFC 2047 encoded words)
        raw = message.message().as_bytes()
        assert f"\nList-Unsubscribe: {header}\n".encode() in raw
        assert f"\nList-Unsubscribe-Post: {ONE_CLICK}\n".encode() in raw
    assert campaign.status == Campaign.Status.SENT and campaign.finished_at is not None
    assert campaign_progress(campaign=campaign)["sent"] == 3 == campaign.recipients_total


def test_the_one_click_post_from_a_received_message_opts_out_at_once(
    staff, django_capture_on_commit_callbacks
):
    person = opted_in()
    send_all(start(a_campaign(), staff, django_capture_on_commit_callbacks))
    url = urlsplit(mail.outbox[0].extra_headers["List-Unsubscribe"][1:-1])

    mail_program = Client(enforce_csrf_checks=True)  # no cookie, no CSRF token
    response = mail_program.post(url.path, data=ONE_CLICK, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert not communication_opted_in(user=person, channel="email", topic="newsletter")

    mail.outbox.clear()
    send_all(start(a_campaign(), staff, django_capture_on_commit_callbacks))
    assert mail.outbox == []  # the next campaign does not reach them


def test_a_tampered_link_from_a_message_gets_400_and_changes_nothing(
    staff, django_capture_on_commit_callbacks
):
    person = opted_in()
    send_all(start(a_campaign(), staff, django_capture_on_commit_callbacks))
    path = urlsplit(mail.outbox[0].extra_headers["List-Unsubscribe"][1:-1]).path
    tampered = path.replace("/afmelden/", "/afmelden/x")
    response = Client(enforce_csrf_checks=True).post(
        tampered, data=ONE_CLICK, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert communication_opted_in(user=person, channel="email", topic="newsletter")


def test_batches_and_progress(staff, settings, django_capture_on_commit_callbacks):
    settings.CAMPAIGN_BATCH_SIZE = 2
    people = [opted_in() for _ in range(5)]
    campaign = start(a_campaign(), staff, django_capture_on_commit_callbacks)
    assert campaign.recipients_total == 5
    assert campaign_progress(campaign=campaign)["pending"] == 5

    assert campaign_send_batch(campaign_id=campaign.pk) == 3
    assert len(mail.outbox) == 2 and campaign_progress(campaign=campaign)["sent"] == 2
    assert campaign_send_batch(campaign_id=campaign.pk) == 1
    assert campaign_send_batch(campaign_id=campaign.pk) == 0
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT and campaign.batches_done == 3
    batches = list(campaign.deliveries.order_by("user_id").values_list("batch", flat=True))
    assert batches == [1, 1, 2, 2, 3]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)


def test_a_rerun_never_mails_anyone_twice(staff, django_capture_on_commit_callbacks, settings):
    settings.CAMPAIGN_BATCH_SIZE = 2
    for _ in range(3):
        opted_in()
    campaign = start(a_campaign(), staff, django_capture_on_commit_callbacks)
    # A worker claimed a batch and died before sending it: those rows stay "sending", never resent.
    _, claimed = _claim_batch(campaign.pk)
    assert len(claimed) == 2
    send_all(campaign)
    assert len(mail.outbox) == 1
    assert campaign_send_batch(campaign_id=campaign.pk) == 0  # a re-run after the end sends nothing
    assert len(mail.outbox) == 1
    progress = campaign_progress(campaign=campaign)
    assert (progress["sent"], progress["sending"], progress["total"]) == (1, 2, 3)

    with pytest.raises(CampaignRefused) as refused:  # starting it again is refused
        campaign_start(campaign=campaign, by=staff)
    assert http_status(refused.value) == 409
    assert CampaignDelivery.objects.filter(campaign=campaign).count() == 3


def test_a_paused_person_gets_nothing_and_gets_the_next_campaign_after_resuming(
    staff, django_capture_on_commit_callbacks
):
    paused, other = opted_in(), opted_in()
    restriction_start(user=paused, source="homeowner", by=paused)
    first = send_all(start(a_campaign(), staff, django_capture_on_commit_callbacks))
    assert [m.to[0] for m in mail.outbox] == [other.email]
    assert not first.deliveries.filter(user=paused).exists()

    restriction_lift(user=paused, by=paused)
    mail.outbox.clear()
    send_all(start(a_campaign(subject="Volgende"), staff, django_capture_on_commit_callbacks))
    assert sorted(m.to[0] for m in mail.outbox) == sorted([paused.email, other.email])


def test_whoever_pauses_or_opts_out_after_the_start_is_skipped(staff, django_capture_on_commit_callbacks):
    pauses, leaves, stays = opted_in(), opted_in(), opted_in()
    campaign = start(a_campaign(), staff, django_capture_on_commit_callbacks)
    restriction_start(user=pauses, source="support", by=staff)
    communication_choose(user=leaves, channel="email", topic="newsletter", opted_in=False, source="one_click")
    send_all(campaign)
    assert [m.to[0] for m in mail.outbox] == [stays.email]
    progress = campaign_progress(campaign=campaign)
    assert (progress["sent"], progress["skipped"], progress["total"]) == (1, 2, 3)


def test_post_export_gives_the_addresses_of_those_opted_in_to_post_and_audits_each(staff):
    yes = opted_in(channel="post")
    yes.profile.street = "=HYPERLINK(1)"  # a formula must not run in a spreadsheet
    yes.profile.save()
    paused = opted_in(channel="post")
    restriction_start(user=paused, source="homeowner", by=paused)
    by_email_only = opted_in(channel="email")
    campaign = a_campaign(channel="post")

    rows = list(csv.reader(io.StringIO(campaign_addresses_csv(campaign=campaign, by=staff)), delimiter=";"))
    assert rows[0][:2] == ["voornaam", "naam"]
    assert [r[1] for r in rows[1:]] == [yes.profile.last_name]
    assert rows[1][2] == "'=HYPERLINK(1)"
    records = AccessRecord.objects.filter(staff_id=staff.pk)
    assert list(records.values_list("customer_id", flat=True)) == [yes.pk]
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.EXPORTED and campaign.recipients_total == 1
    assert by_email_only.pk not in campaign.deliveries.values_list("user_id", flat=True)

    # A second export leaves out whoever opted out since, and is audited again.
    communication_choose(user=yes, channel="post", topic="newsletter", opted_in=False, source="page")
    again = list(csv.reader(io.StringIO(campaign_addresses_csv(campaign=campaign, by=staff)), delimiter=";"))
    assert again == [rows[0]]
    assert mail.outbox == []


def test_a_campaign_is_sent_or_exported_on_its_own_channel_only(staff):
    with pytest.raises(CampaignRefused) as refused:
        campaign_start(campaign=a_campaign(channel="post"), by=staff)
    assert http_status(refused.value) == 400
    with pytest.raises(CampaignRefused):
        campaign_addresses_csv(campaign=a_campaign(channel="email"), by=staff)
    assert not CampaignDelivery.objects.exists()


# --- the admin pages ---------------------------------------------------------------------------


def test_support_composes_sends_and_sees_progress_in_admin(
    staff, admin_login, django_capture_on_commit_callbacks
):
    opted_in()
    opted_in()
    client = admin_login(Client(), staff)
    response = client.post(
        reverse("admin:privacy_campaign_add"),
        {"channel": "email", "topic": "newsletter", "subject": "Nieuws", "body": "Hallo"},
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.created_by == staff and campaign.is_draft

    change = client.get(reverse("admin:privacy_campaign_change", args=[campaign.pk])).text
    send_url = reverse("admin:privacy_campaign_send", args=[campaign.pk])
    assert send_url in change
    confirm = client.get(send_url)
    assert confirm.status_code == 200 and "2 personen" in confirm.text
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client.post(send_url).status_code == 302
    assert len(callbacks) == 1
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENDING and campaign.started_by == staff
    assert "0 / 2" in client.get(reverse("admin:privacy_campaign_change", args=[campaign.pk])).text
    send_all(campaign)
    page = client.get(reverse("admin:privacy_campaign_change", args=[campaign.pk])).text
    assert "2 / 2" in page and send_url not in page
    # Once sent it is read-only and cannot be sent again.
    assert client.post(send_url).status_code == 409
    assert len(mail.outbox) == 2


def test_the_export_action_downloads_the_csv(staff, admin_login):
    opted_in(channel="post", topic="survey")
    campaign = a_campaign(channel="post", topic="survey")
    client = admin_login(Client(), staff)
    response = client.post(
        reverse("admin:privacy_campaign_changelist"),
        {"action": "export_addresses", "_selected_action": [campaign.pk], "index": 0},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"postadressen-campagne-{campaign.pk}.csv" in response["Content-Disposition"]
    assert response.content.decode().count("\n") == 2
