"""The support console in the admin (meters/admin_customers.py): search, the customer's page with
its access record, the actions, and what each role (and an attacker) gets from them."""

import base64
import json
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import AccessRecord
from ilusmart import clock
from meters.models import ContactNote, DailyTotal, Fault, FaultNote
from meters.services.ingest import readings_ingest
from tests.factories import MandateFactory, MeterFactory, ProductFactory, ProfileFactory
from tests.meters.values import day_values, local_midnight_utc, quarter_hours_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer():
    profile = ProfileFactory(
        user__password=None,
        user__email="marie.peeters@example.be",
        first_name="Marie",
        last_name="Peeters",
        street="Veldstraat",
        house_number="88",
        postal_code="3000",
        municipality="Leuven",
        phone="+32470998877",
    )
    meter = MeterFactory(owner=profile.user, ean="541448820000012349", meter_id="1SAG1100042424")
    ProductFactory(meter=meter, inverter_serial="SMA-778899", inverter_make="SMA")
    return profile.user


@pytest.fixture
def other_customer():
    profile = ProfileFactory(user__password=None, first_name="Jan", last_name="Peeters", phone="+32470111111")
    MeterFactory(owner=profile.user, ean="541448820000056787")
    return profile.user


@pytest.fixture
def support(staff_user, admin_login):
    user = staff_user("support")
    return admin_login(Client(), user), user


@pytest.fixture
def support_client(support):
    return support[0]


def _detail(customer):
    return reverse("admin:customer_detail", args=[customer.pk])


def _action(name, customer, meter=None):
    args = [customer.pk] + ([meter.pk] if meter is not None else [])
    return reverse(f"admin:customer_{name}", args=args)


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


# --- search --------------------------------------------------------------------------------------


def test_support_reaches_the_search_from_the_admin_index(support_client):
    page = support_client.get(reverse("admin:index"))
    assert page.status_code == 200
    assert f'action="{reverse("admin:customer_search")}"' in page.text
    assert reverse("admin:meters_periodictaskrun_changelist") in page.text


@pytest.mark.parametrize(
    "query", ["0470 99 88 77", "+32470998877", "0032 470 99 88 77", "12349", "sma-778899"]
)
def test_one_hit_opens_the_customer_at_once(support_client, customer, other_customer, query):
    response = support_client.get(reverse("admin:customer_search"), {"q": query})
    assert response.status_code == 302
    assert response["Location"] == _detail(customer)


def test_several_hits_are_listed_with_what_matched(support_client, customer, other_customer):
    response = support_client.get(reverse("admin:customer_search"), {"q": "Peeters"})
    assert response.status_code == 200
    assert _detail(customer) in response.text and _detail(other_customer) in response.text
    assert "0470 99 88 77" in response.text  # the phone as a person reads it
    assert "541448820000012349" in response.text
    assert "2 klanten gevonden" in response.text
    assert not AccessRecord.objects.exists()  # a list of hits is not opening a customer


def test_nobody_found_says_so(support_client, customer):
    response = support_client.get(reverse("admin:customer_search"), {"q": "Vandeputte"})
    assert response.status_code == 200
    assert "Geen klant gevonden" in response.text


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("x" * 10_000, 400),
        ("4" * 10_000, 400),
        ("nul\x00byte", 400),
        ("' OR 1=1 --", 200),
        ("'; DROP TABLE accounts_user; --", 200),
        ("%_%", 200),
        ("Ŝtéfaan Çoëlho 😀", 200),
        ("\u202e\u200b", 200),
        ("<script>alert(1)</script>", 200),
    ],
)
def test_hostile_search_input_gets_a_clear_answer_never_a_500(support_client, customer, query, status):
    response = support_client.get(reverse("admin:customer_search"), {"q": query})
    assert response.status_code == status
    if status == 400:
        assert 'class="errorlist"' in response.text
    assert "<script>alert(1)</script>" not in response.text  # shown escaped, if at all


def test_a_repeated_query_parameter_is_fine(support_client, customer):
    response = support_client.get(reverse("admin:customer_search") + "?q=Peeters&q=0470")
    assert response.status_code in (200, 302)


# --- the customer's page -------------------------------------------------------------------------


def _june(meter):
    for n in range(30):
        day = date(2025, 6, 1) + timedelta(days=n)
        slots = quarter_hours_in(day)
        readings_ingest(
            meter=meter,
            values=day_values(
                local_midnight_utc(day),
                slots,
                offtake=dict.fromkeys(range(slots), "0.100"),
                injection=dict.fromkeys(range(slots), "0.050"),
            ),
        )


def test_the_customer_page_shows_everything_and_writes_one_access_record(support, customer, settings):
    client, staff = support
    meter = customer.meters.get()
    _june(meter)
    MandateFactory(user=customer, ean=meter.ean, reference_number="ILUREF0000000042")
    fault = Fault.objects.create(meter=meter, type=Fault.Type.FEED_STALE, started=date(2025, 7, 2))
    FaultNote.objects.create(fault=fault, kind="call", author=staff, text="Klant gebeld, geen antwoord")
    ContactNote.objects.create(customer=customer, kind="visit", author=staff, text="Omvormer nagekeken")

    response = client.get(_detail(customer))

    assert response.status_code == 200
    text = response.text
    for shown in (
        "Marie Peeters",
        "marie.peeters@example.be",
        "0470 99 88 77",
        "Veldstraat 88",
        "541448820000012349",
        "1SAG1100042424",
        "SMA-778899",
        "ILUREF0000000042",
        "Gezondheid van de gegevens",
        "Dekking 30 dagen",
        "Geen nieuwe meetgegevens",
        "Klant gebeld, geen antwoord",
        "Omvormer nagekeken",
    ):
        assert shown.lower() in text.lower(), shown
    assert reverse("admin:meters_fault_change", args=[fault.pk]) in text
    record = AccessRecord.objects.get()
    assert (record.staff_id, record.customer_id, record.what) == (
        staff.pk,
        customer.pk,
        "admin:customer_detail",
    )
    for personal in ("marie", "peeters", "veldstraat", "leuven", "470998877", "12349"):
        assert personal not in record.what.lower()


def test_each_opening_is_one_record(support_client, customer):
    support_client.get(_detail(customer))
    support_client.get(_detail(customer))
    assert AccessRecord.objects.filter(customer_id=customer.pk, what="admin:customer_detail").count() == 2


@pytest.mark.parametrize("who", ["support", "superuser", "missing"])
def test_no_customer_page_for_staff_or_nobody(support_client, staff_user, who):
    target = 999_999_999 if who == "missing" else staff_user(who).pk
    response = support_client.get(reverse("admin:customer_detail", args=[target]))
    assert response.status_code == 404
    assert not AccessRecord.objects.exists()


def test_a_customer_without_profile_or_meters_has_a_page(support_client):
    from tests.factories import UserFactory

    bare = UserFactory(password=None)
    response = support_client.get(_detail(bare))
    assert response.status_code == 200
    assert "nog geen meter" in response.text


def test_the_user_and_meter_pages_link_to_the_customer_page(support_client, customer):
    user_page = support_client.get(reverse("admin:accounts_user_change", args=[customer.pk]))
    meter_page = support_client.get(reverse("admin:meters_meter_change", args=[customer.meters.get().pk]))
    assert _detail(customer) in user_page.text
    assert _detail(customer) in meter_page.text


# --- who may ---------------------------------------------------------------------------------------


def _console_urls(customer, meter):
    return {
        "search": (reverse("admin:customer_search"), "get"),
        "detail": (_detail(customer), "get"),
        "note": (_action("note_add", customer), "post"),
        "link": (_action("mandate_link", customer), "post"),
        "resync": (_action("meter_resync", customer, meter), "post"),
        "rebuild": (_action("meter_rebuild_totals", customer, meter), "post"),
    }


def test_dpo_gets_no_console_page_and_changes_nothing(staff_user, admin_login, customer):
    client = admin_login(Client(), staff_user("dpo"))
    meter = customer.meters.get()
    MandateFactory(user=customer, ean=meter.ean)
    for name, (url, _) in _console_urls(customer, meter).items():
        assert client.get(url).status_code == 403, name
        response = client.post(
            url,
            {
                "note-kind": "call",
                "note-text": "x",
                "resync-first": "2025-01-01",
                "resync-last": "2025-01-02",
            },
        )
        assert response.status_code == 403, name
    assert not ContactNote.objects.exists()
    assert mail.outbox == []
    assert not AccessRecord.objects.exists()
    assert "console-search" not in client.get(reverse("admin:index")).text


def test_a_homeowner_is_sent_to_the_login(customer, other_customer):
    client = Client()
    client.force_login(other_customer)
    for name, (url, _) in _console_urls(customer, customer.meters.get()).items():
        for method in (client.get, client.post):
            response = method(url, {"note-kind": "call", "note-text": "x"})
            assert response.status_code == 302, name
            assert response["Location"].startswith(reverse("admin:login")), name
    assert not ContactNote.objects.exists()
    assert not AccessRecord.objects.exists()


def test_support_without_its_second_factor_reaches_nothing(staff_user, admin_login, customer):
    client = admin_login(Client(), staff_user("support"), verified=False)
    for name, (url, _) in _console_urls(customer, customer.meters.get()).items():
        response = client.post(url, {"note-kind": "call", "note-text": "x"})
        assert response.status_code == 302, name
    assert not ContactNote.objects.exists()


def test_actions_answer_only_post(support_client, customer):
    for name, (url, method) in _console_urls(customer, customer.meters.get()).items():
        if method == "post":
            assert support_client.get(url).status_code == 405, name
    assert support_client.post(_detail(customer)).status_code == 405


def test_actions_need_the_csrf_token(staff_user, admin_login, customer):
    client = admin_login(Client(enforce_csrf_checks=True), staff_user("support"))
    response = client.post(_action("note_add", customer), {"note-kind": "call", "note-text": "x"})
    assert response.status_code == 403
    assert not ContactNote.objects.exists()


@pytest.mark.parametrize("target", ["support", "superuser", "dpo", "missing"])
def test_actions_on_a_staff_member_or_nobody_are_404_and_do_nothing(
    support_client, staff_user, customer, target
):
    victim_id = 999_999_999 if target == "missing" else staff_user(target).pk
    meter = MeterFactory(owner=None if target == "missing" else type(customer).objects.get(pk=victim_id))
    for name in ("note_add", "mandate_link"):
        response = support_client.post(
            reverse(f"admin:customer_{name}", args=[victim_id]), {"note-kind": "call", "note-text": "x"}
        )
        assert response.status_code == 404, name
    for name in ("meter_resync", "meter_rebuild_totals"):
        response = support_client.post(
            reverse(f"admin:customer_{name}", args=[victim_id, meter.pk]),
            {"resync-None-first": "2025-01-01", "resync-None-last": "2025-01-02"},
        )
        assert response.status_code == 404, name
    assert not ContactNote.objects.exists()
    assert mail.outbox == []
    assert not AccessRecord.objects.exists()


def test_a_meter_of_someone_else_is_404(support_client, customer, other_customer):
    theirs = other_customer.meters.get()
    MandateFactory(user=other_customer, ean=theirs.ean)
    for name in ("meter_resync", "meter_rebuild_totals"):
        response = support_client.post(_action(name, customer, theirs), {})
        assert response.status_code == 404, name


# --- actions ---------------------------------------------------------------------------------------


def test_support_adds_a_contact_note(support, customer):
    client, staff = support
    meter = customer.meters.get()
    response = client.post(
        _action("note_add", customer),
        {"note-kind": "call", "note-text": "Belde: omvormer piept", "note-meter": meter.pk},
    )
    assert response.status_code == 302
    assert response["Location"] == _detail(customer) + "#notes"
    note = ContactNote.objects.get()
    assert (note.customer, note.author, note.kind, note.meter, note.text) == (
        customer,
        staff,
        "call",
        meter,
        "Belde: omvormer piept",
    )
    page = client.get(response["Location"])
    assert "Notitie bewaard." in _messages(page)
    assert "Belde: omvormer piept" in page.text


@pytest.mark.parametrize(
    "data",
    [
        {"note-kind": "call", "note-text": ""},
        {"note-kind": "call", "note-text": "   "},
        {"note-kind": "fax", "note-text": "tekst"},
        {"note-kind": "call", "note-text": "x" * 5001},
        {"note-kind": "call", "note-text": "tekst", "note-meter": "abc"},
        {"note-kind": "call", "note-text": "nul\x00byte"},
        {},
    ],
)
def test_a_bad_note_gets_a_message_and_is_not_kept(support_client, customer, data):
    response = support_client.post(_action("note_add", customer), data)
    assert response.status_code == 400
    assert _messages(response)
    if data.get("note-kind") == "fax":
        assert "fax" not in ContactNote.Kind.values
    assert not ContactNote.objects.exists()


def test_a_note_about_another_customers_meter_is_refused(support_client, customer, other_customer):
    theirs = other_customer.meters.get()
    response = support_client.post(
        _action("note_add", customer), {"note-kind": "note", "note-text": "x", "note-meter": theirs.pk}
    )
    assert response.status_code == 400
    assert not ContactNote.objects.exists()


def test_notes_cannot_be_changed_or_deleted_by_support(support_client, customer, staff_user):
    note = ContactNote.objects.create(
        customer=customer, kind="call", author=staff_user("support"), text="origineel"
    )
    change = reverse("admin:meters_contactnote_change", args=[note.pk])
    assert support_client.get(change).status_code == 200  # read only
    assert support_client.post(change, {"kind": "note", "text": "gewijzigd"}).status_code == 403
    assert (
        support_client.post(
            reverse("admin:meters_contactnote_delete", args=[note.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    note.refresh_from_db()
    assert (note.kind, note.text) == ("call", "origineel")


def test_support_mails_a_new_mandate_link(support, customer, settings):
    client, staff = support
    settings.SITE_URL = "https://mijn.ilumen.be"
    response = client.post(_action("mandate_link", customer))
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == [customer.email]
    assert "https://mijn.ilumen.be/meters/" in message.body
    note = ContactNote.objects.get()
    assert (note.kind, note.author) == ("email", staff)
    assert any(customer.email in text for text in _messages(client.get(response["Location"])))


def test_no_mandate_link_to_an_inactive_account(support_client, customer):
    customer.is_active = False
    customer.save()
    response = support_client.post(_action("mandate_link", customer))
    assert response.status_code == 409
    assert any("niet actief" in text for text in _messages(response))
    assert mail.outbox == []


def _queued():
    from ilusmart.celery import app

    with app.connection_for_write() as conn:
        raw = conn.default_channel.client.lrange(settings.CELERY_BACKFILL_QUEUE, 0, -1)
    return [
        (json.loads(m)["headers"]["task"], json.loads(base64.b64decode(json.loads(m)["body"]))[0])
        for m in reversed(raw)
    ]


def test_support_queues_a_resync_for_a_range(support_client, customer, django_capture_on_commit_callbacks):
    meter = customer.meters.get()
    MandateFactory(user=customer, ean=meter.ean)
    today = clock.local_today()
    first, last = today - timedelta(days=20), today - timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        response = support_client.post(
            _action("meter_resync", customer, meter),
            {f"resync-{meter.pk}-first": first.isoformat(), f"resync-{meter.pk}-last": last.isoformat()},
        )
    assert response.status_code == 302
    assert response["Location"] == _detail(customer) + f"#meter-{meter.pk}"
    assert _queued() == [("meters.sync_meter_range", [meter.pk, first.isoformat(), last.isoformat()])]


@pytest.mark.parametrize(
    ("first", "last", "status"),
    [
        ("gisteren", "vandaag", 400),
        ("2025-02-30", "2025-03-01", 400),
        ("", "", 400),
        ("2025-03-10", "2025-03-01", 400),
        ("1900-01-01", "1900-01-02", 400),  # before what Fluvius keeps: refused by the service
        ("9999-12-30", "9999-12-31", 400),
    ],
)
def test_a_bad_resync_range_gets_a_message_and_queues_nothing(
    support_client, customer, first, last, status, django_capture_on_commit_callbacks
):
    meter = customer.meters.get()
    MandateFactory(user=customer, ean=meter.ean)
    with django_capture_on_commit_callbacks(execute=True):
        response = support_client.post(
            _action("meter_resync", customer, meter),
            {f"resync-{meter.pk}-first": first, f"resync-{meter.pk}-last": last},
        )
    assert response.status_code == status
    assert _messages(response)
    assert _queued() == []


def test_resync_without_a_mandate_says_why(support_client, customer, django_capture_on_commit_callbacks):
    meter = customer.meters.get()
    today = clock.local_today()
    with django_capture_on_commit_callbacks(execute=True):
        response = support_client.post(
            _action("meter_resync", customer, meter),
            {
                f"resync-{meter.pk}-first": (today - timedelta(days=3)).isoformat(),
                f"resync-{meter.pk}-last": (today - timedelta(days=1)).isoformat(),
            },
        )
    assert response.status_code == 403
    assert any("geen actief mandaat" in text for text in _messages(response))
    assert _queued() == []


def test_support_rebuilds_the_daily_totals(support_client, customer):
    meter = customer.meters.get()
    _june(meter)
    DailyTotal.objects.filter(meter=meter, day=date(2025, 6, 5)).update(offtake_wh=1)
    DailyTotal.objects.filter(meter=meter, day=date(2025, 6, 6)).delete()

    response = support_client.post(_action("meter_rebuild_totals", customer, meter), {})

    assert response.status_code == 302
    fixed = DailyTotal.objects.get(meter=meter, day=date(2025, 6, 5))
    assert fixed.offtake_wh == 96 * 100  # 96 quarter-hours of 0.100 kWh
    assert DailyTotal.objects.filter(meter=meter, day=date(2025, 6, 6)).exists()
    page = support_client.get(response["Location"])
    assert any("30 dagen nagekeken, 2 herschreven, 0 verwijderd" in text for text in _messages(page))


def test_rebuild_of_a_range(support_client, customer):
    meter = customer.meters.get()
    _june(meter)
    DailyTotal.objects.filter(meter=meter, day__in=[date(2025, 6, 5), date(2025, 6, 20)]).update(offtake_wh=1)
    response = support_client.post(
        _action("meter_rebuild_totals", customer, meter),
        {f"rebuild-{meter.pk}-first": "2025-06-01", f"rebuild-{meter.pk}-last": "2025-06-10"},
    )
    assert response.status_code == 302
    assert DailyTotal.objects.get(meter=meter, day=date(2025, 6, 5)).offtake_wh == 9600
    assert DailyTotal.objects.get(meter=meter, day=date(2025, 6, 20)).offtake_wh == 1


@pytest.mark.parametrize(
    "data",
    [{"first": "2025-06-10", "last": "2025-06-01"}, {"first": "morgen", "last": ""}, {"first": "2025-13-01"}],
)
def test_a_bad_rebuild_range_gets_a_message(support_client, customer, data):
    meter = customer.meters.get()
    response = support_client.post(
        _action("meter_rebuild_totals", customer, meter),
        {f"rebuild-{meter.pk}-{key}": value for key, value in data.items()},
    )
    assert response.status_code == 400
    assert _messages(response)


def test_the_contact_notes_list_for_support(support_client, customer, staff_user):
    ContactNote.objects.create(customer=customer, kind="call", author=staff_user("support"), text="Gebeld")
    page = support_client.get(reverse("admin:meters_contactnote_changelist"), {"q": "peeters"})
    assert page.status_code == 200
    assert "Gebeld" in page.text
    assert _detail(customer) in page.text


def test_the_customer_page_in_english(support_client, customer, settings):
    support_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    _june(customer.meters.get())
    page = support_client.get(_detail(customer))
    assert page.status_code == 200
    for english in (
        "Data health",
        "Coverage 30 days",
        "Latest reading",
        "Contacts and notes",
        "Fetch again from Fluvius",
    ):
        assert english in page.text, english
    for dutch in (
        "Gezondheid van de gegevens",
        "Dekking 30 dagen",
        "Laatste meetwaarde",
        "Contact en notities",
    ):
        assert dutch not in page.text, dutch


@pytest.mark.parametrize(
    "path",
    [
        "/beheer/klanten/99999999999999999999999/",
        "/beheer/klanten/99999999999999999999999/notitie/",
        "/beheer/klanten/{customer}/meters/99999999999999999999999/dagtotalen/",
        "/beheer/klanten/{customer}/meters/99999999999999999999999/opnieuw-ophalen/",
        "/beheer/klanten/-1/",
        "/beheer/klanten/0/",
    ],
)
def test_ids_beyond_any_row_are_404_not_500(support_client, customer, path):
    url = path.format(customer=customer.pk)
    response = (
        support_client.post(url, {})
        if url.endswith(("notitie/", "dagtotalen/", "ophalen/"))
        else support_client.get(url)
    )
    assert response.status_code == 404
