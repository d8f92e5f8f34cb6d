"""Campaigns: newsletters, surveys and information to the people who opted in, by e-mail or by post.

Staff compose a draft in admin (``campaign_draft_save``). ``campaign_start`` (e-mail) fixes the
recipients — one ``CampaignDelivery`` per person in ``communication_audience`` at that moment:
opted in for the channel and topic, active, confirmed, not paused — and queues
``privacy.campaign_send``, which calls ``campaign_send_batch`` once per batch
(``CAMPAIGN_BATCH_SIZE``). A batch is claimed (its rows marked "sending") in a transaction
before any mail leaves, and each row is marked sent as its mail goes: a re-run or a second task
never mails anyone twice, and a worker killed mid-batch leaves its rows "sending" for staff to
see rather than resending them. Each person is checked again just before their message (an
opt-out or a pause since the start is honoured at once). Every message carries the RFC 8058
one-click unsubscribe headers and a visible link.

``campaign_addresses_csv`` (post) fixes the recipients the same way and gives the postal
addresses of those still opted in, writing an access record per person for each export.
"""

import csv
import email.policy
import io
import logging
import smtplib

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.services.access_audit import access_records_write
from consents.models import CommunicationConsent
from consents.selectors.communications import communication_audience, communication_may_send, unsubscribe_url
from ilusmart import clock, errors
from ilusmart.errors import ApplicationError
from privacy.models import Campaign, CampaignDelivery

logger = logging.getLogger("ilusmart.campaigns")

SEND_TASK = "privacy.campaign_send"
Channel = CommunicationConsent.Channel
Delivery = CampaignDelivery.Status
ADDRESS_COLUMNS = ("voornaam", "naam", "straat", "huisnummer", "bus", "postcode", "gemeente", "land")


class CampaignEmail(EmailMessage):
    """A campaign mail whose header lines are not folded below RFC 5322's 998 characters.

    Python's default policy folds at 78; a ``List-Unsubscribe`` URL has no space to fold at, so
    it would be sent as RFC 2047 encoded words that no mail program reads as a URL.
    """

    def message(self, *, policy=email.policy.default):
        return super().message(policy=policy.clone(max_line_length=998))


class CampaignRefused(ApplicationError):
    kind = errors.CONFLICT
    default_code = "campaign_refused"


def campaign_draft_save(*, campaign: Campaign, by) -> Campaign:
    """Save a new or changed draft; a campaign that went out is never changed."""
    if campaign.pk and not Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.DRAFT).exists():
        raise CampaignRefused(
            _("Deze campagne ging al uit en kan niet meer gewijzigd worden."), code="campaign_not_draft"
        )
    if campaign.created_by_id is None:
        campaign.created_by = by
    campaign.save()
    return campaign


def _locked_draft(campaign: Campaign, *, channel: str) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.channel != channel:
        message = (
            _("Een campagne per post wordt niet gemaild: exporteer haar postadressen.")
            if channel == Channel.EMAIL
            else _("Dit is een campagne per e-mail: verstuur ze in plaats van adressen te exporteren.")
        )
        raise CampaignRefused(message, code="campaign_wrong_channel", kind=errors.INVALID)
    return campaign


def _recipients_fix(campaign: Campaign, *, status: str, by) -> int:
    """One delivery row per person of the audience now; the campaign leaves the draft state."""
    ids = list(
        communication_audience(channel=campaign.channel, topic=campaign.topic).values_list("pk", flat=True)
    )
    CampaignDelivery.objects.bulk_create(
        [CampaignDelivery(campaign=campaign, user_id=pk, status=status) for pk in ids],
        ignore_conflicts=True,
        batch_size=1000,
    )
    campaign.recipients_total = campaign.deliveries.count()
    campaign.started_at = clock.now()
    campaign.started_by = by
    return campaign.recipients_total


def campaign_start(*, campaign: Campaign, by) -> Campaign:
    """Fix an e-mail campaign's recipients and queue its sending (once: a second start is refused)."""
    with transaction.atomic():
        campaign = _locked_draft(campaign, channel=Channel.EMAIL)
        if not campaign.is_draft:
            raise CampaignRefused(
                _("Deze campagne is al verstuurd of wordt nog verstuurd."), code="campaign_not_draft"
            )
        total = _recipients_fix(campaign, status=Delivery.PENDING, by=by)
        campaign.status = Campaign.Status.SENDING
        campaign.save(update_fields=["status", "started_at", "started_by", "recipients_total"])
        transaction.on_commit(lambda: current_app.send_task(SEND_TASK, args=[campaign.pk]))
    logger.info("campaign %s started by %s: %s recipients", campaign.pk, getattr(by, "pk", None), total)
    return campaign


def campaign_message(*, campaign: Campaign, user) -> CampaignEmail:
    """The e-mail to one person: the campaign's text, a visible opt-out link and RFC 8058 headers."""
    link = unsubscribe_url(user=user, channel=campaign.channel, topic=campaign.topic)
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(
            "privacy/email/campaign.txt",
            {
                "body": campaign.body,
                "topic": CommunicationConsent.Topic(campaign.topic).label,
                "unsubscribe_url": link,
                "choices_url": settings.SITE_URL + reverse("consents:communications"),
            },
        )
    return CampaignEmail(
        subject=campaign.subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


def _claim_batch(campaign_id: int) -> tuple[Campaign | None, list[int]]:
    with transaction.atomic():
        campaign = (
            Campaign.objects.select_for_update()
            .filter(pk=campaign_id, status=Campaign.Status.SENDING)
            .first()
        )
        if campaign is None:
            return None, []
        size = max(1, settings.CAMPAIGN_BATCH_SIZE)
        ids = list(
            campaign.deliveries.filter(status=Delivery.PENDING)
            .order_by("pk")
            .values_list("pk", flat=True)[:size]
        )
        if ids:
            campaign.batches_done += 1
            campaign.save(update_fields=["batches_done"])
            CampaignDelivery.objects.filter(pk__in=ids).update(
                status=Delivery.SENDING, batch=campaign.batches_done
            )
    return campaign, ids


def _finish_if_done(campaign: Campaign) -> int:
    remaining = campaign.deliveries.filter(status=Delivery.PENDING).count()
    if remaining == 0:
        Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.SENDING).update(
            status=Campaign.Status.SENT, finished_at=clock.now()
        )
        logger.info("campaign %s finished", campaign.pk)
    return remaining


def campaign_send_batch(*, campaign_id: int) -> int:
    """Send the next batch of a campaign that is being sent; returns how many are still to send."""
    with mailers.default as connection:  # opened first: a mail server that is down claims nothing
        campaign, ids = _claim_batch(campaign_id)
        if campaign is None:
            return 0
        for delivery in CampaignDelivery.objects.filter(pk__in=ids).select_related("user").order_by("pk"):
            if not communication_may_send(user=delivery.user, channel=campaign.channel, topic=campaign.topic):
                delivery.status = Delivery.SKIPPED
                delivery.save(update_fields=["status"])
                continue
            try:
                connection.send_messages([campaign_message(campaign=campaign, user=delivery.user)])
            except (smtplib.SMTPException, OSError) as error:
                logger.warning(
                    "campaign %s: mail to user %s failed: %r", campaign.pk, delivery.user_id, error
                )
                delivery.status, delivery.error = Delivery.FAILED, type(error).__name__
                delivery.save(update_fields=["status", "error"])
                continue
            delivery.status, delivery.sent_at = Delivery.SENT, clock.now()
            delivery.save(update_fields=["status", "sent_at"])
    return _finish_if_done(campaign)


def _cell(value: str) -> str:
    # A spreadsheet must not run what a customer typed as their street (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def campaign_addresses_csv(*, campaign: Campaign, by) -> str:
    """The postal addresses of a post campaign's recipients who are still opted in, as CSV.

    The first export fixes the recipients (the campaign leaves the draft state); each export
    leaves out whoever opted out or paused since, and writes an access record per person.
    """
    with transaction.atomic():
        campaign = _locked_draft(campaign, channel=Channel.POST)
        if campaign.is_draft:
            _recipients_fix(campaign, status=Delivery.EXPORTED, by=by)
            campaign.status = Campaign.Status.EXPORTED
            campaign.finished_at = campaign.started_at
            campaign.save(
                update_fields=["status", "started_at", "started_by", "recipients_total", "finished_at"]
            )
        deliveries = campaign.deliveries.filter(status=Delivery.EXPORTED).select_related("user__profile")
        people = []
        for delivery in deliveries.order_by("user__profile__postal_code", "pk"):
            if communication_may_send(user=delivery.user, channel=campaign.channel, topic=campaign.topic):
                people.append(delivery.user)
            else:
                delivery.status = Delivery.SKIPPED
                delivery.save(update_fields=["status"])
        access_records_write(
            staff=by, customer_ids=[p.pk for p in people], what=f"postadressen van campagne {campaign.pk}"
        )
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(ADDRESS_COLUMNS)
    for person in people:
        p = person.profile
        row = (
            p.first_name,
            p.last_name,
            p.street,
            p.house_number,
            p.box,
            p.postal_code,
            p.municipality,
            p.country,
        )
        writer.writerow([_cell(v) for v in row])
    logger.info("campaign %s: %s postal addresses exported by %s", campaign.pk, len(people), by.pk)
    return out.getvalue()
