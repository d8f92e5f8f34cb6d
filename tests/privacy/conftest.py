"""The canary person of the erasure tests (issue 10), made through the portal's real flows, and
the scans that look for any of their values in PostgreSQL, Redis, the outbox and the logs; and
(issue 9) a homeowner with data in every model the map says is about them, for Mijn gegevens."""

from __future__ import annotations

import base64
import contextlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest
import redis
from celery import current_app
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from accounts.models import User
from accounts.services.access_audit import access_record
from accounts.services.users import user_sign_up, user_verify_email, verification_token_make
from consents.services.communications import communication_choose
from consents.services.cookies import cookie_consent_record
from consents.services.mandates import mandate_request, mandates_poll
from ilusmart import clock
from meters.models import Meter, Product
from meters.services.csv_import import readings_csv_import
from meters.services.customers import contact_note_add
from meters.services.meters import mandate_return_url
from meters.tasks import sync_meter_daily
from privacy.models import Partner
from privacy.services.disclosures import disclosure_share
from privacy.services.exports import export_build, export_request
from privacy.services.page_views import page_views_flush
from tests.factories import (
    DEFAULT_PASSWORD,
    MeterFactory,
    ProductFactory,
    ProfileFactory,
    UserFactory,
    covering_mandate,
)
from tests.meters.conftest import connected_meter, sim  # noqa: F401  (shared fixtures)
from tests.meters.values import day_values, utc

CSV_HEADER = "Van datum;Van tijdstip;Tot datum;Tot tijdstip;EAN;Meter;Metertype;Register;Volume;Eenheid;Validatiestatus"


@dataclass
class Canary:
    """A person whose every personal value carries ``marker`` (or is itself unique): what to look for."""

    marker: str
    email: str
    phone: str
    ip: str
    user: User | None = None
    export_dir: Path | None = None
    eans: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)

    @property
    def needles(self) -> list[str]:
        return [self.marker, self.phone, self.ip, *self.eans, *self.references]


def _ean(n: int) -> str:
    from ilusmart.fluvius.ean import ean_check_digit

    first_17 = f"5414499{n:010d}"
    return first_17 + str(ean_check_digit(first_17))


def _csv_for(ean: str, day) -> bytes:
    rows = []
    for quarter in range(4):  # 00:00-01:00 local, offtake
        start = f"00:{quarter * 15:02d}"
        end = f"00:{quarter * 15 + 15:02d}" if quarter < 3 else "01:00"
        rows.append(
            f'{day:%d-%m-%Y};{start}:00;{day:%d-%m-%Y};{end}:00;="{ean}";1SAG12345678;Digitale Meter;'
            f"Afname Dag;0,100;kWh;Gevalideerd"
        )
    return ("\ufeff" + "\n".join([CSV_HEADER, *rows]) + "\n").encode()


@pytest.fixture
def canary_person(sim, client, staff_user, settings, tmp_path):  # noqa: F811 (sim: the shared fixture)
    """make() → a Canary: sign-up, verified address, login, two meters with mandates, a sync, a CSV
    import, a product, a support note, a staff access and an admin change, a download of Mijn
    gegevens (its ZIP in ``canary.export_dir``), a queued task and a mandate-return throttle in Redis."""
    settings.PRIVACY_EXPORT_DIR = tmp_path / "exports"

    def make() -> Canary:
        marker = "kanarie" + secrets.token_hex(5)
        phone = "+3247" + "".join(secrets.choice("123456789") for _ in range(7))
        ip = "10.{}.{}.{}".format(*(100 + secrets.randbelow(150) for _ in range(3)))
        canary = Canary(marker=marker, email=f"{marker}@voorbeeld.be", phone=phone, ip=ip)
        user_sign_up(
            email=canary.email,
            password=DEFAULT_PASSWORD,
            profile={
                "first_name": f"Voor{marker}",
                "last_name": f"Naam{marker}",
                "street": f"Straat{marker}",
                "house_number": "7",
                "postal_code": "9000",
                "municipality": f"Gemeente{marker}",
                "country": "BE",
                "phone": phone,
            },
        )
        user = User.objects.get(email=canary.email)
        user_verify_email(token=verification_token_make(user=user, email=user.email))
        canary.user = user
        response = client.post(
            reverse("accounts:login"), {"email": canary.email, "password": DEFAULT_PASSWORD}, REMOTE_ADDR=ip
        )
        assert response.status_code == 302
        # Page views while logged in (the log: time, page, address): one flushed to the database,
        # one still buffered in Redis.
        assert client.get(reverse("privacy:statement"), REMOTE_ADDR=ip).status_code == 200
        page_views_flush()
        assert client.get(reverse("privacy:cookies"), REMOTE_ADDR=ip).status_code == 200
        today = clock.local_today()
        for n in range(2):
            ean = _ean(secrets.randbelow(10**9) * 10 + n)
            canary.eans.append(ean)
            meter = Meter.objects.create(
                ean=ean, owner=user, label=f"Meter{n}{marker}", meter_id=f"1SAG{marker}{n}"
            )
            sim.remote.meter_register(ean=ean, install_date=today - timedelta(days=60))
            mandate = mandate_request(user=user, ean=ean, history_days=10, return_url_for=mandate_return_url)
            canary.references.append(mandate.reference_number)
            sim.remote.decide(short_id=mandate.short_url_id, eans=[ean], decision="approve")
            mandates_poll(reference_number=mandate.reference_number)
            sync_meter_daily.apply(args=[meter.pk]).get()
            Product.objects.create(
                meter=meter, kind="pv", inverter_serial=f"SN{marker}{n}", notes=f"Dak {marker}"
            )
        meter = Meter.objects.get(ean=canary.eans[0])
        readings_csv_import(
            meter=meter,
            file=SimpleUploadedFile(
                f"Verbruik-{marker}.csv", _csv_for(meter.ean, today - timedelta(days=40))
            ),
            uploaded_by=user,
        )
        # The homeowner comes back from Mijn Fluvius: a throttle key naming the reference in Redis.
        client.get(reverse("meters:mandate_return", args=[canary.references[0]]))
        staff = staff_user("support")
        contact_note_add(customer=user, author=staff, kind="call", text=f"Belde over {marker}", meter=meter)
        access_record(staff=staff, customer_id=user.pk, what="admin:customer_detail")
        LogEntry.objects.log_actions(
            user_id=staff.pk,
            queryset=[user.profile],
            action_flag=CHANGE,
            change_message=f"Naam gewijzigd in Naam{marker}",
        )
        cookie_consent_record(
            user=user,
            choices={"analytics": True},
            cookie_lists={"analytics": ["_ga"]},
            policy_version="1",
            via="banner",
        )
        communication_choose(user=user, channel="email", topic="newsletter", opted_in=True, source="page")
        # Shared with a partner (a disclosure record), who must hear of the erasure.
        partner = Partner.objects.create(
            name="Installateur NV",
            kind="subcontractor",
            legal_basis="contract",
            purpose="onderhoud",
            privacy_email="privacy@installateur.example",
        )
        disclosure_share(partner=partner, customer=user, categories=["profile", "meters"], by=staff)
        # A download of everything held about them (Mijn gegevens), ready and not yet fetched.
        export_build(export_id=export_request(user=user).pk)
        canary.export_dir = Path(settings.PRIVACY_EXPORT_DIR)
        # A queued task about one of their meters, and a cached value holding their address.
        current_app.send_task(
            "meters.backfill_meter", args=[meter.pk], queue=settings.CELERY_TASK_DEFAULT_QUEUE
        )
        cache.set(f"probe:{user.pk}", {"to": canary.email}, timeout=600)
        return canary

    return make


@pytest.fixture(autouse=True)
def ledger(settings, tmp_path):
    """Each test's own erasure ledger (ERASURE_LEDGER_PATH), outside the database like in production."""
    settings.ERASURE_LEDGER_PATH = str(tmp_path / "ledger.jsonl")
    return tmp_path / "ledger.jsonl"


def reading_day(meter, day="2026-01-01"):
    """One stored day of quarter-hour readings for ``meter`` (what a meter-data erasure deletes)."""
    from meters.models import ReadingDay

    return ReadingDay.objects.create(
        meter=meter,
        day=day,
        offtake_wh=[1] * 96,
        injection_wh=[0] * 96,
        offtake_quality="V" * 96,
        injection_quality="V" * 96,
    )


# --- Scans -----------------------------------------------------------------------------------


def database_hits(needles) -> dict[str, list[str]]:
    """Per table, the needles found in any column of any row (each row cast to text; bytea as hex too)."""
    hits = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            found = []
            for needle in needles:
                quoted = connection.ops.quote_name(table)  # a name from introspection
                cursor.execute(
                    f"SELECT count(*) FROM {quoted} AS t WHERE t::text ILIKE %s OR t::text ILIKE %s",  # noqa: S608
                    [f"%{needle}%", f"%{needle.encode().hex()}%"],
                )
                if cursor.fetchone()[0]:
                    found.append(needle)
            if found:
                hits[table] = found
    return hits


def _decoded(value: bytes) -> bytes:
    """A value as stored, plus the base64 bodies of Celery messages decoded."""
    try:
        envelope = json.loads(value)
    except ValueError:
        return value
    bodies = []
    for item in envelope if isinstance(envelope, list) else [envelope]:
        if isinstance(item, dict) and isinstance(item.get("body"), str):
            with contextlib.suppress(ValueError):
                bodies.append(base64.b64decode(item["body"]))
    return value + b"".join(bodies)


def redis_hits(needles) -> list[str]:
    """Keys of the test run's Redis database whose name or value holds a needle."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    hits = []
    for key in client.scan_iter(count=1000):
        kind = client.type(key)
        if kind == b"string":
            values = [client.get(key) or b""]
        elif kind == b"list":
            values = client.lrange(key, 0, -1)
        elif kind == b"hash":
            values = [k + b" " + v for k, v in client.hgetall(key).items()]
        elif kind == b"set":
            values = list(client.smembers(key))
        elif kind == b"zset":
            values = client.zrange(key, 0, -1)
        else:
            values = []
        blob = (key + b" " + b" ".join(_decoded(v) for v in values)).lower()
        hits += [f"{key!r}: {n}" for n in needles if n.lower().encode() in blob]
    return hits


def table_fingerprint() -> dict[str, tuple[int, str]]:
    """Per table: its row count and an md5 of all its rows as text (to see that nothing changed)."""
    prints = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)  # a name from introspection
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {quoted} AS t"  # noqa: S608
            )
            prints[table] = tuple(cursor.fetchone())
    return prints


@pytest.fixture
def export_dir(settings, tmp_path):
    settings.PRIVACY_EXPORT_DIR = tmp_path / "exports"
    return settings.PRIVACY_EXPORT_DIR


@pytest.fixture
def person_with_everything():
    """A homeowner with a row in every model about a person that a test can fill, and a previous
    occupant of the same meter whose days the homeowner must not get."""
    from accounts.models import AccessRecord, EmailChange, UserSession
    from consents.models import FetchRefusal
    from consents.services.restriction import restriction_lift, restriction_start
    from meters.models import ContactNote, Fault, FaultNote, MeterSyncState, ReadingImport, SyncDeadLetter
    from meters.services.ingest import readings_ingest
    from privacy.models import Disclosure, Partner

    user = ProfileFactory().user
    meter = MeterFactory(owner=user, label="Thuis", meter_id="1SAG1100042")
    ProductFactory(meter=meter, inverter_make="SMA", inverter_serial="SN-77")
    since = date(2025, 6, 1)
    covering_mandate(meter, since=since)
    # The previous occupant's mandate ended the day before; their readings stay out of the ZIP.
    previous = UserFactory()
    readings_ingest(meter=meter, values=day_values(utc("2025-05-30T22:00"), 96, offtake={4: "9.999"}))
    readings_ingest(meter=meter, values=day_values(utc("2025-05-31T22:00"), 96, offtake={4: "0.250"}))
    now = clock.now()
    UserSession.objects.create(
        user=user, session_key="k" * 40, device="Firefox op Linux", ip_prefix="192.0.2.0/24",
        created_at=now, last_seen_at=now,
    )  # fmt: skip
    EmailChange.objects.create(
        user=user, old_email=user.email, new_email="nieuw@example.be", confirm_digest="c" * 64,
        cancel_digest="d" * 64, requested_at=now, expires_at=now + timedelta(days=3),
    )  # fmt: skip
    AccessRecord.objects.create(staff_id=previous.pk, customer_id=user.pk, what="admin:customer_detail")
    FetchRefusal.objects.create(user=user, ean=meter.ean, reason="geen mandaat")
    restriction_start(user=user, source="homeowner", by=user, reason="even niet")
    restriction_lift(user=user, by=user)
    MeterSyncState.objects.update_or_create(meter=meter, defaults={"last_error": "time-out"})
    SyncDeadLetter.objects.create(meter=meter, task="meters.sync_meter_daily", error="boom")
    ReadingImport.objects.create(meter=meter, customer=user, filename="fluvius.csv", status="imported")
    fault = Fault.objects.create(meter=meter, type=Fault.Type.choices[0][0], started=date(2025, 6, 2))
    FaultNote.objects.create(fault=fault, kind="call", text="Klant gebeld")
    ContactNote.objects.create(customer=user, meter=meter, kind="call", text="Vraag over de factuur")
    partner = Partner.objects.create(
        name="Zon & Co", kind="subcontractor", legal_basis="contract", purpose="herstel"
    )
    Disclosure.objects.create(
        partner=partner, customer=user, categories=["profile"], legal_basis="contract", purpose="herstel"
    )
    return {"user": user, "meter": meter, "previous": previous}
