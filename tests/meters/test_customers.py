"""The support console's reads (meters/selectors/customers.py) and writes (meters/services/customers.py).

Finding a customer from whatever support has at hand, the one overview of a customer, the
data-health panel of a meter, and the console's actions (contact note, re-sync, mandate link).
Everything runs on the real database (and, for the queued re-sync, the run's real Redis queue).
"""

import base64
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation

from consents.models import Mandate
from ilusmart import clock
from meters.models import ContactNote, Fault, FaultNote
from meters.selectors.customers import (
    CUSTOMER_SEARCH_LIMIT,
    customer_for_console,
    customer_overview,
    customers_find,
    meter_data_health,
)
from meters.services.customers import (
    CustomerActionRefused,
    contact_note_add,
    mandate_link_send,
    meter_resync_request,
)
from meters.services.ingest import readings_ingest
from tests.factories import MandateFactory, MeterFactory, ProductFactory, ProfileFactory
from tests.meters.values import day_values, local_midnight_utc, quarter_hours_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def marie():
    """A customer with a meter (meter number), a PV product (inverter serial) and a mobile number."""
    profile = ProfileFactory(
        user__password=None,  # never logs in here (and no slow password hashing)
        user__email="marie.peeters@example.be",
        first_name="Marie",
        last_name="Peeters",
        postal_code="3000",
        municipality="Leuven",
        phone="+32470123456",
    )
    meter = MeterFactory(owner=profile.user, ean="541448820000012349", meter_id="1SAG1100042424")
    ProductFactory(meter=meter, inverter_serial="SMA-3000TL-778899")
    return profile.user


@pytest.fixture
def jan():
    profile = ProfileFactory(
        user__password=None,
        user__email="jan.janssens@example.be",
        first_name="Jan",
        last_name="Janssens",
        postal_code="9000",
        municipality="Gent",
        phone="+3293001122",
    )
    MeterFactory(owner=profile.user, ean="541448820000056787", meter_id="1SAG1100077777")
    MeterFactory(owner=profile.user, ean="541448820000099992", meter_id="")
    return profile.user


@pytest.fixture
def staff_with_the_same_details(staff_user):
    """A staff member whose profile shares Marie's phone and postal code: never a search result."""
    support = staff_user("support", email="marie.peeters@ilumen.be")
    ProfileFactory(
        user=support, first_name="Marie", last_name="Peeters", phone="+32470123456", postal_code="3000"
    )
    return support


def _found(query):
    return [hit.customer.email for hit in customers_find(query=query)]


# --- customers_find ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "0470 12 34 56",
        "0470123456",
        "+32470123456",
        "+32 470 12 34 56",
        "0032 470 12 34 56",
        "0032470123456",
        "0470/12.34.56",
        "0470-12-34-56",
        " 0470 12 34 56 ",
    ],
)
def test_a_phone_number_in_any_spelling_finds_the_customer(marie, jan, staff_with_the_same_details, query):
    hits = customers_find(query=query)
    assert [hit.customer for hit in hits] == [marie]
    assert "phone" in hits[0].matched_on


def test_a_landline_is_found_too(marie, jan):
    assert _found("09 300 11 22") == [jan.email]


@pytest.mark.parametrize(
    ("query", "who"),
    [
        ("541448820000012349", "marie"),  # the whole EAN
        ("5414 4882 0000 0123 49", "marie"),  # as printed on a bill
        ("12349", "marie"),  # its last digits
        ("2349", "marie"),  # four are enough
        ("56787", "jan"),
        ("99992", "jan"),  # his second meter
    ],
)
def test_an_ean_or_its_last_digits_finds_the_customer(marie, jan, query, who):
    expected = {"marie": marie, "jan": jan}[who]
    hits = customers_find(query=query)
    assert [hit.customer for hit in hits] == [expected]
    assert "ean" in hits[0].matched_on


def test_fewer_than_four_last_digits_of_an_ean_find_nothing(marie, jan):
    assert _found("349") == []


def test_a_customer_with_two_meters_is_one_hit(jan):
    hits = customers_find(query="Janssens")
    assert len(hits) == 1
    assert sorted(meter.ean for meter in hits[0].meters) == ["541448820000056787", "541448820000099992"]


@pytest.mark.parametrize(
    ("query", "matched"),
    [
        ("1SAG1100042424", "meter_id"),
        ("1sag1100042424", "meter_id"),
        ("1100042424", "meter_id"),
        ("SMA-3000TL-778899", "inverter_serial"),
        ("sma-3000tl-778899", "inverter_serial"),
        ("778899", "inverter_serial"),
        ("3000", "postal_code"),
        ("marie.peeters@example.be", "email"),
        ("MARIE.PEETERS@EXAMPLE.BE", "email"),
        ("peeters@example", "email"),
        ("Peeters", "name"),
        ("marie peeters", "name"),
        ("PEETERS Marie", "name"),
        ("mar", "name"),
    ],
)
def test_each_starting_point_finds_the_customer_and_says_what_matched(
    marie, jan, staff_with_the_same_details, query, matched
):
    hits = customers_find(query=query)
    assert [hit.customer for hit in hits] == [marie]
    assert matched in hits[0].matched_on


def test_the_hit_carries_what_support_needs_to_choose(marie):
    (hit,) = customers_find(query="Peeters")
    assert hit.customer.profile.last_name == "Peeters"
    assert [meter.ean for meter in hit.meters] == ["541448820000012349"]
    assert hit.phone_display == "0470 12 34 56"


def test_staff_are_never_found(marie, staff_with_the_same_details, staff_user):
    superuser = staff_user("superuser", email="baas@ilumen.be")
    for query in ("marie.peeters@ilumen.be", "ilumen.be", "baas@ilumen.be", "0470 12 34 56", "3000"):
        emails = _found(query)
        assert staff_with_the_same_details.email not in emails
        assert superuser.email not in emails


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "a",
        "' OR 1=1 --",
        "'; DROP TABLE accounts_user; --",
        "%",
        "%%%%",
        "____",
        "\\",
        "x" * 10_000,
        "9" * 10_000,
        "+" + "3" * 300,
        "Ŝtéfaan Çoëlho 😀",
        "\u202e\u200b\ufeff",
        "nul\x00byte",
        "<script>alert(1)</script>",
    ],
)
def test_hostile_or_empty_input_finds_nobody_and_never_raises(marie, jan, query):
    assert customers_find(query=query) == []


def test_the_number_of_hits_is_capped(marie):
    for n in range(CUSTOMER_SEARCH_LIMIT + 5):
        ProfileFactory(last_name=f"Peeterssen{n}", user__email=f"p{n}@example.be", user__password=None)
    assert len(customers_find(query="Peeters")) == CUSTOMER_SEARCH_LIMIT


def test_customer_for_console_is_a_customer_never_a_staff_member(marie, staff_user):
    assert customer_for_console(customer_id=marie.pk) == marie
    assert customer_for_console(customer_id=staff_user("support").pk) is None
    assert customer_for_console(customer_id=staff_user("superuser").pk) is None
    assert customer_for_console(customer_id=999_999_999) is None


# --- meter_data_health ---------------------------------------------------------------------------

TODAY = date(2025, 7, 1)  # the 30 days before it: 1–30 June, no daylight-saving change


def _write_day(meter, day, *, missing_offtake=(), estimated=False, last_slot=None):
    slots = quarter_hours_in(day)
    end = slots if last_slot is None else last_slot + 1
    offtake = {n: (None if n in missing_offtake or n >= end else "0.100") for n in range(slots)}
    injection = {n: (None if n >= end else "0.050") for n in range(slots)}
    readings_ingest(
        meter=meter,
        values=day_values(
            local_midnight_utc(day),
            slots,
            offtake=offtake,
            injection=injection,
            state="EST" if estimated else "VAL",
        ),
    )


@pytest.fixture
def june_meter():
    """Every day of June, but for a two-day hole (10–11 June), half of 20 June's offtake
    missing and 25 June still estimated."""
    meter = MeterFactory()
    for n in range(30):
        day = date(2025, 6, 1) + timedelta(days=n)
        if day in (date(2025, 6, 10), date(2025, 6, 11)):
            continue
        _write_day(
            meter,
            day,
            missing_offtake=range(48) if day == date(2025, 6, 20) else (),
            estimated=day == date(2025, 6, 25),
        )
    return meter


def test_data_health_of_the_last_30_days(june_meter):
    health = meter_data_health(meter=june_meter, today=TODAY)

    cover = health.coverage_30
    assert (cover.first, cover.last) == (date(2025, 6, 1), date(2025, 6, 30))
    expected = 30 * 96 * 2  # quarter-hours of June, both directions
    present = expected - 2 * 96 * 2 - 48  # the two-day hole, half a day of offtake
    assert (cover.expected_values, cover.present_values) == (expected, present)
    assert cover.percent == round(Decimal(present * 100) / expected, 1)
    assert cover.estimated_values == 96 * 2
    assert cover.estimated_percent == round(Decimal(96 * 2 * 100) / present, 1)
    assert cover.level == "warn"  # 92.5 %: below 99, above 90


def test_data_health_of_a_year_counts_from_the_first_day_with_data(june_meter):
    health = meter_data_health(meter=june_meter, today=TODAY)
    assert health.since == date(2025, 6, 1)
    assert health.coverage_365.first == date(2025, 6, 1)  # not 365 days of "missing" before it
    assert health.coverage_365.present_values == health.coverage_30.present_values


def test_data_health_lists_the_gaps_newest_first(june_meter):
    health = meter_data_health(meter=june_meter, today=TODAY)
    assert [(gap.first, gap.last, gap.missing_values) for gap in health.gaps] == [
        (date(2025, 6, 20), date(2025, 6, 20), 48),
        (date(2025, 6, 10), date(2025, 6, 11), 2 * 96 * 2),
    ]
    assert health.gap_days == 3


def test_the_last_reading_is_the_end_of_the_last_quarter_hour_with_a_value(june_meter):
    health = meter_data_health(meter=june_meter, today=TODAY)
    # 30 June complete: its last quarter-hour ends at local midnight, 22:00 UTC in summer.
    assert health.last_reading == datetime(2025, 6, 30, 22, 0, tzinfo=UTC)
    assert health.last_reading_age_days == 1
    assert health.last_reading_level == "ok"

    later = meter_data_health(meter=june_meter, today=TODAY + timedelta(days=6))
    assert later.last_reading_age_days == 7
    assert later.last_reading_level == "bad"


def test_the_last_reading_of_a_day_cut_short(june_meter):
    _write_day(june_meter, date(2025, 7, 1), last_slot=40)  # today, up to 10:00–10:15 local
    health = meter_data_health(meter=june_meter, today=date(2025, 7, 2))
    assert health.last_reading == datetime(2025, 7, 1, 8, 15, tzinfo=UTC)  # 10:15 local (CEST)
    assert health.last_reading_age_days == 1
    # Trailing missing slots of the last day are not yet delivered, not a gap.
    assert [gap.first for gap in health.gaps] == [date(2025, 6, 20), date(2025, 6, 10)]


def test_open_faults_are_on_the_panel(june_meter):
    open_fault = Fault.objects.create(meter=june_meter, type=Fault.Type.FEED_STALE, started=date(2025, 6, 28))
    Fault.objects.create(
        meter=june_meter,
        type=Fault.Type.DATA_ANOMALY,
        status=Fault.Status.RESOLVED,
        started=date(2025, 6, 10),
        resolved=date(2025, 6, 12),
    )
    health = meter_data_health(meter=june_meter, today=TODAY)
    assert health.open_faults == [open_fault]
    assert health.level == "bad"


def test_a_meter_without_data(marie):
    meter = marie.meters.get()
    health = meter_data_health(meter=meter, today=TODAY)
    assert health.last_reading is None
    assert health.since is None
    assert health.coverage_30.percent is None
    assert health.coverage_30.level == "none"
    assert health.gaps == []


def test_a_complete_month_is_ok():
    meter = MeterFactory()
    for n in range(30):
        _write_day(meter, date(2025, 6, 1) + timedelta(days=n))
    health = meter_data_health(meter=meter, today=TODAY)
    assert health.coverage_30.percent == Decimal("100.0")
    assert (health.coverage_30.level, health.last_reading_level, health.level) == ("ok", "ok", "ok")
    assert health.gaps == []


def test_daylight_saving_days_count_their_own_quarter_hours():
    meter = MeterFactory()
    first = date(2025, 10, 20)  # 26 October has 100 quarter-hours
    for n in range(10):
        _write_day(meter, first + timedelta(days=n))
    health = meter_data_health(meter=meter, today=first + timedelta(days=10))
    assert health.coverage_30.expected_values == (9 * 96 + 100) * 2
    assert health.coverage_30.percent == Decimal("100.0")


# --- customer_overview ---------------------------------------------------------------------------


def test_the_overview_holds_everything_about_one_customer(marie, jan, staff_user):
    meter = marie.meters.get()
    mandate = MandateFactory(user=marie, ean=meter.ean)
    fault = Fault.objects.create(meter=meter, type=Fault.Type.INVERTER_SUSPECTED, started=date(2025, 7, 2))
    support = staff_user("support")
    FaultNote.objects.create(
        fault=fault,
        kind="call",
        author=support,
        text="Omvormer stond uit",
        at=clock.now() - timedelta(hours=2),
    )
    contact_note_add(customer=marie, author=support, kind="visit", text="Installateur ter plaatse")
    MandateFactory(user=jan, ean=jan.meters.first().ean)  # someone else's: not shown

    overview = customer_overview(user=marie)

    assert overview.customer == marie
    assert overview.profile.last_name == "Peeters"
    assert overview.phone_display == "0470 12 34 56"
    assert [m.meter for m in overview.meters] == [meter]
    assert [p.inverter_serial for p in overview.meters[0].products] == ["SMA-3000TL-778899"]
    assert overview.meters[0].health.open_faults == [fault]
    assert overview.meters[0].mandate == mandate
    assert overview.mandates == [mandate]
    assert overview.faults == [fault]
    # Contact notes and the notes on the customer's faults, newest first.
    assert [(note.kind, note.text) for note in overview.notes] == [
        ("visit", "Installateur ter plaatse"),
        ("call", "Omvormer stond uit"),
    ]
    assert overview.notes[1].fault == fault


# --- contact notes -------------------------------------------------------------------------------


def test_a_contact_note_records_who_and_when(marie, staff_user):
    support = staff_user("support")
    note = contact_note_add(customer=marie, author=support, kind="call", text="  Belde over factuur  ")
    note.refresh_from_db()
    assert (note.customer, note.author, note.kind, note.text) == (
        marie,
        support,
        "call",
        "Belde over factuur",
    )
    assert abs(note.at - clock.now()) < timedelta(minutes=1)


@pytest.mark.parametrize(("kind", "text"), [("call", ""), ("call", "   "), ("fax", "tekst"), ("", "tekst")])
def test_a_contact_note_needs_a_known_kind_and_text(marie, staff_user, kind, text):
    with pytest.raises(CustomerActionRefused):
        contact_note_add(customer=marie, author=staff_user("support"), kind=kind, text=text)
    assert not ContactNote.objects.exists()


def test_a_contact_note_about_a_meter_must_be_about_one_of_theirs(marie, jan, staff_user):
    with pytest.raises(CustomerActionRefused):
        contact_note_add(
            customer=marie, author=staff_user("support"), kind="note", text="x", meter=jan.meters.first()
        )


def test_no_contact_note_on_a_staff_member(staff_user):
    support = staff_user("support")
    with pytest.raises(CustomerActionRefused):
        contact_note_add(customer=staff_user("superuser"), author=support, kind="note", text="x")
    assert not ContactNote.objects.exists()


# --- re-sync for a date range (queued) -----------------------------------------------------------


def _queued():
    """The task messages waiting in this run's back-fill queue (real Redis), oldest first."""
    from ilusmart.celery import app

    with app.connection_for_write() as conn:
        redis = conn.default_channel.client
        raw = redis.lrange(settings.CELERY_BACKFILL_QUEUE, 0, -1)
    messages = [json.loads(item) for item in reversed(raw)]
    return [(m["headers"]["task"], json.loads(base64.b64decode(m["body"]))[0]) for m in messages]


def test_resync_is_queued_after_commit_with_ids_and_dates(marie, django_capture_on_commit_callbacks):
    meter = marie.meters.get()
    MandateFactory(user=marie, ean=meter.ean)
    today = clock.local_today()
    first, last = today - timedelta(days=40), today - timedelta(days=10)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        meter_resync_request(meter=meter, first=first, last=last)
    assert _queued() == []  # nothing before the commit
    for callback in callbacks:
        callback()

    assert _queued() == [("meters.sync_meter_range", [meter.pk, first.isoformat(), last.isoformat()])]


@pytest.mark.parametrize(
    ("first_days_ago", "last_days_ago"),
    [
        (10, 20),  # ends before it starts
        (5, -1),  # ends tomorrow
        (4 * 365, 10),  # before what Fluvius keeps
    ],
)
def test_resync_refuses_a_range_it_cannot_fetch(
    marie, first_days_ago, last_days_ago, django_capture_on_commit_callbacks
):
    meter = marie.meters.get()
    MandateFactory(user=marie, ean=meter.ean)
    today = clock.local_today()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(CustomerActionRefused):
        meter_resync_request(
            meter=meter,
            first=today - timedelta(days=first_days_ago),
            last=today - timedelta(days=last_days_ago),
        )
    assert _queued() == []


@pytest.mark.parametrize("status", [None, "Requested", "Rejected", "Finished"])
def test_resync_needs_an_active_mandate(marie, status, django_capture_on_commit_callbacks):
    meter = marie.meters.get()
    if status:
        MandateFactory(user=marie, ean=meter.ean, status=status)
    today = clock.local_today()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(CustomerActionRefused) as refused:
        meter_resync_request(meter=meter, first=today - timedelta(days=3), last=today - timedelta(days=1))
    assert refused.value.code == "no_mandate"
    assert _queued() == []


def test_resync_of_a_meter_without_customer_is_refused(django_capture_on_commit_callbacks):
    meter = MeterFactory(owner=None)
    today = clock.local_today()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(CustomerActionRefused):
        meter_resync_request(meter=meter, first=today - timedelta(days=3), last=today - timedelta(days=1))


# --- a new mandate link --------------------------------------------------------------------------


def test_mandate_link_mails_the_connect_page_and_leaves_a_note(marie, staff_user, settings):
    settings.SITE_URL = "https://mijn.ilumen.be"
    support = staff_user("support")
    with translation.override("en"):  # the staff member's language does not decide the mail's
        note = mandate_link_send(customer=marie, by=support)

    (message,) = mail.outbox
    assert message.to == ["marie.peeters@example.be"]
    assert "https://mijn.ilumen.be/meters/" in message.body
    assert "Marie" in message.body
    assert "Fluvius" in message.subject
    assert "toestemming" in message.body  # Dutch, the portal's language
    assert (note.customer, note.author, note.kind) == (marie, support, ContactNote.Kind.EMAIL)


def test_mandate_link_to_an_inactive_account_is_refused(marie, staff_user):
    marie.is_active = False
    marie.save()
    with pytest.raises(CustomerActionRefused):
        mandate_link_send(customer=marie, by=staff_user("support"))
    assert mail.outbox == []
    assert not ContactNote.objects.exists()


def test_mandate_link_never_goes_to_staff(staff_user):
    with pytest.raises(CustomerActionRefused):
        mandate_link_send(customer=staff_user("support"), by=staff_user("support"))
    assert mail.outbox == []


def test_mandates_are_listed_with_their_evidence(marie):
    meter = marie.meters.get()
    old = MandateFactory(user=marie, ean=meter.ean, status=Mandate.Status.FINISHED)
    new = MandateFactory(user=marie, ean=meter.ean, short_url="https://fluvius.example/x")
    overview = customer_overview(user=marie)
    assert set(overview.mandates) == {old, new}
    assert overview.meters[0].mandate == new  # the approved one tells the state


def test_the_overview_costs_a_bounded_number_of_queries_per_meter(marie, django_assert_max_num_queries):
    """A customer with many meters stays one page: a few queries per meter, not per day or reading."""
    MandateFactory(user=marie, ean=marie.meters.get().ean)
    for _ in range(3):
        MeterFactory(owner=marie)
    with django_assert_max_num_queries(12 + 6 * marie.meters.count()):
        customer_overview(user=marie)


@pytest.mark.date_sensitive
@pytest.mark.django_db(transaction=True)
def test_the_queued_resync_fetches_exactly_that_range_again(connected_meter, sim):
    """``meters.sync_meter_range`` (what the console queues): the range's days come back from
    the simulator, and only that range is asked for."""
    from meters.models import ReadingDay
    from meters.tasks import sync_meter_range
    from tests.meters.conftest import energy_requests, local_today, published_days

    meter, _ = connected_meter(days=40)
    today = local_today()
    first, last = today - timedelta(days=20), today - timedelta(days=12)
    assert not ReadingDay.objects.filter(meter=meter).exists()
    requests_before = len(energy_requests(sim))

    summary = sync_meter_range(meter.pk, first.isoformat(), last.isoformat())

    days = set(ReadingDay.objects.filter(meter=meter).values_list("day", flat=True))
    # Every day of the range is published (they are well before yesterday).
    assert published_days(first, sim.frozen_now) > (last - first).days
    assert days == {first + timedelta(days=n) for n in range((last - first).days + 1)}
    assert summary["requests"] == len(energy_requests(sim)) - requests_before
    assert summary["inserted"] > 0

    again = sync_meter_range(meter.pk, first.isoformat(), last.isoformat())
    assert (again["inserted"], again["updated"]) == (0, 0)  # idempotent: nothing new the second time
