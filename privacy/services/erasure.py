"""Erasing a person (issue 10): one service, one durable transaction, one receipt.

``person_erase`` reads who the person is (``Person``), then hands each app its share, as the
personal-data map (``privacy.datamap``) says: privacy's own rows first (the admin history about
their rows, their deletion requests), then meters, consents and last accounts, which deletes the
account once nothing protects it. A *temporary* erasure is the processing restriction
(``consents.services.restriction``): nothing is deleted. After the transaction commits, the
person's Redis keys, cached values and queued tasks are removed (``privacy.services.redis_sweep``),
partners who received their data are notified, the person gets a confirmation at the address
held in memory (the database no longer has it), and the receipt is appended to the ledger file
that ``replay_erasures`` reads after a restore. Logs name ids and the receipt only.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from redis.exceptions import RedisError

from accounts.models import SuppressedAddress, User
from accounts.selectors import profile_for_user, user_for_login
from accounts.services.erasure import OWN_APPS as ACCOUNT_APPS
from accounts.services.erasure import account_erase
from accounts.services.suppression import address_suppress
from consents.models import Mandate
from consents.services.erasure import consents_erase
from consents.services.restriction import restriction_start
from ilusmart import clock
from ilusmart.erasure import ErasureJob, Person, email_hash, rows_erase
from meters.models import Meter
from meters.services.erasure import eans_held_by_others, meters_erase
from privacy.datamap import DATA_MAP, erasure_plan, rows_about
from privacy.models import DeletionRequest, Disclosure, ErasureReceipt
from privacy.services import redis_sweep
from privacy.services.exports import exports_files_erase
from privacy.services.imap import dpo_mailbox_forget
from privacy.services.page_views import page_views_flush

logger = logging.getLogger("ilusmart.privacy")
BRUSSELS = ZoneInfo("Europe/Brussels")

# Which service erases the models of which app (every app in the data map must be here:
# tests/privacy/test_erasure.py). Django's admin history is privacy's: it is about every app.
SERVICE_OF_APP = {
    **dict.fromkeys(ACCOUNT_APPS, "accounts"),
    "consents": "consents",
    "meters": "meters",
    "privacy": "privacy",
    "admin": "privacy",
    "contenttypes": None,  # no rows about people
}
MIN_NEEDLE = 6  # shorter values (a postal code, a house number) are not searched for in Redis


@dataclass(frozen=True)
class ErasureOutcome:
    receipt: ErasureReceipt | None  # None: there was nothing (left) to erase
    changed: bool


def person_read(*, user: User) -> Person:
    """Who ``user`` is, read once before the erasure cuts the links: ids, EANs, references, values."""
    meters = list(Meter.objects.filter(owner=user).values_list("pk", "ean", "meter_id", "label"))
    mandates = list(Mandate.objects.filter(user=user).values_list("ean", "reference_number"))
    eans = sorted({m[1] for m in meters} | {m[0] for m in mandates})
    references = sorted({m[1] for m in mandates})
    values = [user.email, *eans, *references, *(m[2] for m in meters), *(m[3] for m in meters)]
    profile = profile_for_user(user=user)
    if profile.pk:
        values += [profile.first_name, profile.last_name, profile.street, profile.phone, profile.municipality]
    needles = tuple(sorted({v.strip() for v in values if v and len(v.strip()) >= MIN_NEEDLE}))
    return Person(
        user_id=user.pk,
        email=user.email,
        name=f"{profile.first_name} {profile.last_name}".strip(),
        meter_ids=tuple(m[0] for m in meters),
        eans=tuple(eans),
        references=tuple(references),
        needles=needles,
    )


def _plans() -> dict:
    return {label: erasure_plan(label) for label in DATA_MAP}


def erasure_preview(*, user: User, personal: bool, meter: bool) -> dict[str, int]:
    """How many rows per model an erasure of ``user`` would touch (for the DPO's queue), nothing changed."""
    person = person_read(user=user)
    job = _job(person, user, personal=personal, meter=meter)
    counts = {}
    for label in job.plans:
        if job.applies(label):
            n = job.rows(label).count()
            if n:
                counts[label] = n
    return counts


def _job(person: Person, user: User, *, personal: bool, meter: bool) -> ErasureJob:
    return ErasureJob(
        person=person,
        personal=personal,
        meter=meter,
        plans=_plans(),
        rows=lambda label: rows_about(label, user=user),
    )


def _privacy_erase(*, job: ErasureJob) -> None:
    """Privacy's own share: admin history about their rows (first, while the rows are findable),
    requests, and the files of their downloads (each holds their profile and their readings)."""
    files = exports_files_erase(user_id=job.person.user_id)
    if files:
        job.counts["privacy.dataexport (files)"] = files
    job.erase("admin.logentry")
    if job.personal:
        requests = DeletionRequest.objects.filter(
            sender_hash=job.person.hash
        ) | DeletionRequest.objects.filter(user_id=job.person.user_id)
        count = rows_erase(requests, plan=job.plans["privacy.deletionrequest"], replace={})
        if count:
            job.counts["privacy.deletionrequest"] = count
    for label in job.labels("privacy"):
        if label != "privacy.deletionrequest":
            job.erase(label)  # models added later (page views, disclosures): as the map says


def person_erase(
    *,
    email: str,
    personal: bool,
    meter: bool,
    permanent: bool,
    reason: str,
    via: str,
    by: User | None = None,
    request: DeletionRequest | None = None,
    replays: uuid.UUID | None = None,
    notify: bool = True,
) -> ErasureOutcome:
    """Erase (``permanent``) or pause (temporary) the data of the person with ``email``.

    ``personal``: the account and everything that identifies them; ``meter``: their offtake and
    injection data (and their mandates end). Runs in one durable transaction; idempotent: when
    nothing is left to erase, nothing changes and no receipt is written (``receipt`` None).
    """
    if not (personal or meter):
        raise ValueError("erase what? personal, meter or both")
    subject_hash = email_hash(email)
    if permanent and personal:
        _page_views_flush()
    with transaction.atomic(durable=True):
        user = user_for_login(identifier=email)
        user = User.objects.select_for_update().filter(pk=user.pk).first() if user else None
        if not permanent:
            if user is None:
                return ErasureOutcome(None, False)
            before = user.processing_restrictions.filter(lifted_at__isnull=True).exists()
            restriction_start(user=user, source="dpo", by=by, reason=reason[:500])
            if before:
                return ErasureOutcome(None, False)
            receipt = _receipt(
                subject_hash, permanent, personal, meter, by, via, reason, {}, request, replays
            )
            _after_commit(receipt, user.email if notify else None, person=None)
            return ErasureOutcome(receipt, True)
        counts: dict[str, int] = {}
        person, notices = None, []
        if user is not None:
            person = person_read(user=user)
            job = _job(person, user, personal=personal, meter=meter)
            held = eans_held_by_others(eans=person.eans, user_id=person.user_id)
            notices = partner_notices(user=user) if personal else []
            _privacy_erase(job=job)
            meters_erase(job=job)
            consents_erase(job=job, eans_held_by_others=held)
            account_erase(job=job)
            counts = {k: v for k, v in job.counts.items() if v}
            if notices:
                counts["privacy.partner (to notify)"] = len(notices)
        elif personal:
            # No account (or already erased): their requests, and the address on the list.
            plan = erasure_plan("privacy.deletionrequest")
            count = rows_erase(
                DeletionRequest.objects.filter(sender_hash=subject_hash).exclude(sender_email=""),
                plan=plan,
                replace={},
            )
            if count:
                counts["privacy.deletionrequest"] = count
        if personal and not SuppressedAddress.objects.filter(email_hash=subject_hash).exists():
            address_suppress(email_hash=subject_hash)
            counts["accounts.suppressedaddress"] = 1
        if not counts:
            return ErasureOutcome(None, False)
        receipt = _receipt(
            subject_hash, permanent, personal, meter, by, via, reason, counts, request, replays
        )
        # The address on file, read before the account went (never one typed by someone else).
        _after_commit(
            receipt, person.email if (notify and person is not None) else None, person=person, notices=notices
        )
    return ErasureOutcome(receipt, True)


def _page_views_flush() -> None:
    """Views still buffered in Redis become rows first, so the erasure finds and deletes theirs."""
    try:
        page_views_flush()
    except RedisError:
        logger.warning(
            "page views could not be flushed before an erasure; buffered views stay anonymous in Redis"
        )


def _receipt(subject_hash, permanent, personal, meter, by, via, reason, counts, request, replays):
    receipt = ErasureReceipt.objects.create(
        uuid=uuid.uuid4(),
        subject_hash=subject_hash,
        mode=ErasureReceipt.Mode.PERMANENT if permanent else ErasureReceipt.Mode.TEMPORARY,
        personal=personal,
        meter=meter,
        executed_at=clock.now(),
        executed_by=by,
        via=via,
        reason=reason,
        counts=counts,
        replays=replays,
    )
    if request is not None:
        DeletionRequest.objects.filter(pk=request.pk).update(
            status=DeletionRequest.Status.EXECUTED,
            receipt=receipt,
            handled_at=receipt.executed_at,
            handled_by=by,
        )
    return receipt


def _after_commit(receipt: ErasureReceipt, email: str | None, *, person: Person | None, notices=()) -> None:
    """What cannot be rolled back waits for the commit: Redis, partners, the mail, the ledger."""

    def run():
        ledger_append(receipt=receipt)
        if person is not None and receipt.mode == ErasureReceipt.Mode.PERMANENT:
            removed = redis_sweep.person_forget(person=person, personal=receipt.personal)
            logger.info("erasure %s: %s Redis entries removed", receipt.uuid, removed)
        # Partners first: their notice names the person; the person's confirmation is the last mail.
        for notice in notices:
            _partner_notify(receipt=receipt, person=person, notice=notice)
        if email:
            _confirmation_send(receipt=receipt, email=email)
        if person is not None and receipt.personal and receipt.mode == ErasureReceipt.Mode.PERMANENT:
            _mailbox_forget(receipt=receipt, email=person.email)
        logger.info(
            "erasure %s executed (%s, personal=%s, meter=%s, via %s)",
            receipt.uuid,
            receipt.mode,
            receipt.personal,
            receipt.meter,
            receipt.via,
        )

    transaction.on_commit(run)


def partner_notices(*, user: User) -> list[dict]:
    """Per partner that received ``user``'s data (disclosure records): what and when, to tell them."""
    notices: dict[int, dict] = {}
    for disclosure in Disclosure.objects.filter(customer=user).select_related("partner").order_by("at"):
        partner = disclosure.partner
        notice = notices.setdefault(
            partner.pk, {"partner": partner.name, "to": partner.privacy_email, "shared": []}
        )
        notice["shared"].append(
            {
                "at": disclosure.at.astimezone(BRUSSELS).date(),
                "categories": ", ".join(disclosure.categories),
            }
        )
    return list(notices.values())


def _partner_notify(*, receipt: ErasureReceipt, person: Person | None, notice: dict) -> None:
    """Tell one partner that a person whose data they received is erased (art. 19), or log it for the DPO."""
    if not notice["to"]:
        logger.warning(
            "erasure %s: partner %s has no privacy address; the DPO tells them",
            receipt.uuid,
            notice["partner"],
        )
        return
    context = {"notice": notice, "person": person, "receipt": str(receipt.uuid)}
    with translation.override("nl"):
        subject = render_to_string("privacy/email/erasure_partner_subject.txt", context).strip()
        body = render_to_string("privacy/email/erasure_partner_body.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [notice["to"]])
    except Exception:  # the erasure stands; the DPO tells the partner  # noqa: BLE001
        logger.exception(
            "erasure %s: the notice to partner %s could not be sent", receipt.uuid, notice["partner"]
        )


def _mailbox_forget(*, receipt: ErasureReceipt, email: str) -> None:
    """Their mail in the DPO mailbox goes too; a mailbox that cannot be reached is logged for the DPO."""
    try:
        removed = dpo_mailbox_forget(email=email)
    except Exception:  # the erasure stands; the DPO empties the folder by hand  # noqa: BLE001
        logger.exception("erasure %s: the DPO mailbox could not be cleaned", receipt.uuid)
        return
    if removed:
        logger.info("erasure %s: %s mails removed from the DPO mailbox", receipt.uuid, removed)


def _confirmation_send(*, receipt: ErasureReceipt, email: str) -> None:
    """Tell the person it is done, at the address held in memory (sent directly: a queued task's
    arguments would put the address in Redis again)."""
    context = {
        "permanent": receipt.mode == ErasureReceipt.Mode.PERMANENT,
        "personal": receipt.personal,
        "meter": receipt.meter,
        "receipt": str(receipt.uuid),
    }
    with translation.override(translation.get_language() or settings.LANGUAGE_CODE):
        subject = render_to_string("privacy/email/erasure_done_subject.txt", context).strip()
        body = render_to_string("privacy/email/erasure_done_body.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
    except Exception:  # the erasure stands; the DPO sees the receipt and can tell the person
        logger.exception("erasure %s: the confirmation mail could not be sent", receipt.uuid)


# --- The ledger: receipts outside the database, for replay_erasures ------------------------------


def _ledger_line(receipt: ErasureReceipt) -> dict:
    return {
        "uuid": str(receipt.uuid),
        "subject_hash": receipt.subject_hash,
        "mode": receipt.mode,
        "personal": receipt.personal,
        "meter": receipt.meter,
        "executed_at": receipt.executed_at.isoformat(),
        "executed_by": receipt.executed_by_id,
        "via": receipt.via,
        "replays": str(receipt.replays) if receipt.replays else None,
    }


def ledger_append(*, receipt: ErasureReceipt) -> None:
    """Append one receipt to the ledger file (created if missing), flushed to disk."""
    path = Path(settings.ERASURE_LEDGER_PATH)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as ledger:
        ledger.write(json.dumps(_ledger_line(receipt), sort_keys=True) + "\n")
        ledger.flush()
        os.fsync(ledger.fileno())


def ledger_read(*, since) -> list[dict]:
    """The ledger's receipts executed on or after the (Belgian) date ``since`` (unreadable lines skipped, logged)."""
    path = Path(settings.ERASURE_LEDGER_PATH)
    if not path.exists():
        return []
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            entry = json.loads(line)
            executed = datetime.fromisoformat(entry["executed_at"]).astimezone(BRUSSELS).date()
            if executed >= since:
                entries.append(entry)
        except (ValueError, KeyError, TypeError):
            logger.warning("erasure ledger line %s unreadable; skipped", number)
    return entries


@dataclass(frozen=True)
class ReplayResult:
    entries: int
    applied: int


def erasures_replay(*, since) -> ReplayResult:
    """Apply again every erasure in the ledger since ``since`` (after a database restore).

    A receipt names the person only by the keyed hash of their email, so each account's address
    is hashed and compared; a match is erased again as the receipt says (a new receipt, marked
    as replaying the old one). Addresses on the list go back on it. Idempotent.
    """
    entries = [e for e in ledger_read(since=since) if e.get("via") != ErasureReceipt.Via.REPLAY]
    if not entries:
        return ReplayResult(0, 0)
    wanted = {}
    for entry in entries:
        wanted.setdefault(entry["subject_hash"], []).append(entry)
    applied = 0
    for user_id, email in User.objects.values_list("pk", "email").iterator():
        for entry in wanted.get(email_hash(email), []):
            outcome = person_erase(
                email=email,
                personal=entry["personal"],
                meter=entry["meter"],
                permanent=entry["mode"] == ErasureReceipt.Mode.PERMANENT,
                reason=f"replay of {entry['uuid']}",
                via=ErasureReceipt.Via.REPLAY,
                replays=uuid.UUID(entry["uuid"]),
                notify=False,
            )
            applied += outcome.changed
            logger.info("replayed erasure %s on user %s", entry["uuid"], user_id)
    with transaction.atomic():
        for entry in entries:
            if entry["mode"] == ErasureReceipt.Mode.PERMANENT and entry["personal"]:
                address_suppress(email_hash=entry["subject_hash"])
            # Requests of people without an account (or already gone) that the restore brought back.
            plan = erasure_plan("privacy.deletionrequest")
            if entry["mode"] == ErasureReceipt.Mode.PERMANENT and entry["personal"]:
                applied += bool(
                    rows_erase(
                        DeletionRequest.objects.filter(sender_hash=entry["subject_hash"]).exclude(
                            sender_email=""
                        ),
                        plan=plan,
                        replace={},
                    )
                )
    return ReplayResult(len(entries), applied)


def services_cover_the_map() -> list[str]:
    """Apps of the data map with rows about people that no erasure service takes care of."""
    missing = []
    for label, rule in DATA_MAP.items():
        app_label = label.split(".")[0]
        if rule.rows not in ("none", "keep") and SERVICE_OF_APP.get(app_label) is None:
            missing.append(label)
    return missing
