"""Rate limits per user and per client address on every costly or abusable page, and the mail cap.

Issue 8, item 4. Real Redis (this run's database) and PostgreSQL; limits are lowered per test
through ``settings.RATE_LIMITS`` so that a few requests reach them. Windows are moved with the
project clock (``CLOCK_SHIFT``), never by waiting.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from accounts.services.rate_limits import RateLimited, mail_quota_take, rate_limit_take, running_slot_take
from tests.factories import MandateFactory, MeterFactory, ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


def _limit(settings, action, **limits):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, action: {"seconds": 3600, **limits}}


# --- The counters ------------------------------------------------------------------------------


def test_per_user_and_per_address_counters_are_separate(settings):
    _limit(settings, "export", user=2, ip=3)
    user, other = UserFactory(), UserFactory()
    rate_limit_take(action="export", user_id=user.pk, ip="203.0.113.1")
    rate_limit_take(action="export", user_id=user.pk, ip="203.0.113.2")
    with pytest.raises(RateLimited) as refused:
        rate_limit_take(action="export", user_id=user.pk, ip="203.0.113.3")  # the user's third
    assert refused.value.kind == "rate_limited" and 0 < refused.value.retry_after <= 3601
    # Another user from a fresh address is not affected by the first user's count...
    rate_limit_take(action="export", user_id=other.pk, ip="203.0.113.9")
    # ...but an address is limited across users: 203.0.113.9 has 1, three more is one too many.
    rate_limit_take(action="export", user_id=UserFactory().pk, ip="203.0.113.9")
    rate_limit_take(action="export", user_id=UserFactory().pk, ip="203.0.113.9")
    with pytest.raises(RateLimited):
        rate_limit_take(action="export", user_id=UserFactory().pk, ip="203.0.113.9")
    # Other actions keep their own counters.
    rate_limit_take(action="import", user_id=user.pk, ip="203.0.113.1")


def test_the_next_window_opens_again(settings):
    _limit(settings, "sign_up", ip=1)
    rate_limit_take(action="sign_up", ip="198.51.100.7")
    with pytest.raises(RateLimited) as refused:
        rate_limit_take(action="sign_up", ip="198.51.100.7")
    settings.CLOCK_SHIFT = settings.CLOCK_SHIFT + timedelta(seconds=refused.value.retry_after)
    rate_limit_take(action="sign_up", ip="198.51.100.7")


def test_running_places_are_held_until_the_stream_ends_or_is_closed(settings):
    settings.RUNNING_LIMITS = {"export": {"at_once": 2, "seconds": 600}}
    user = UserFactory()
    first = running_slot_take(action="export", user_id=user.pk)
    second = running_slot_take(action="export", user_id=user.pk)
    with pytest.raises(RateLimited) as refused:
        running_slot_take(action="export", user_id=user.pk)
    assert refused.value.code == "running_limit" and refused.value.retry_after == 30
    running_slot_take(action="export", user_id=UserFactory().pk)  # another user's own places

    stream = first.held_while(iter(["a", "b"]))
    assert next(stream) == "a"
    stream.close()  # the client hung up half-way: the place is free
    third = running_slot_take(action="export", user_id=user.pk)
    assert list(third.held_while(iter(["x"]))) == ["x"]  # read to the end: free again
    second.release()
    second.release()  # twice is harmless and frees nobody else's place
    running_slot_take(action="export", user_id=user.pk)
    running_slot_take(action="export", user_id=user.pk)
    with pytest.raises(RateLimited):
        running_slot_take(action="export", user_id=user.pk)


def test_the_mail_cap_counts_an_address_in_any_spelling(settings):
    settings.MAIL_MAX_PER_ADDRESS_PER_HOUR = 2
    assert mail_quota_take(address="els@example.be")
    assert mail_quota_take(address=" ELS@example.be ")
    assert not mail_quota_take(address="Els@Example.BE")
    assert mail_quota_take(address="jan@example.be")


# --- The pages ---------------------------------------------------------------------------------

SIGN_UP = {
    "password1": "zonnepaneel-2026!",
    "password2": "zonnepaneel-2026!",
    "first_name": "Els",
    "last_name": "Janssens",
    "street": "Stationsstraat",
    "house_number": "4",
    "postal_code": "2800",
    "municipality": "Mechelen",
    "country": "BE",
    "phone": "0470 12 34 56",
}


def _assert_429_page(response, *, english=False):
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3601
    html = response.content.decode()
    assert 'class="brand"' in html and ("Foutcode 429" in html or "Error code 429" in html)
    if english:
        assert "You tried this too often" in html and "minutes" in html
    else:
        assert "Je hebt dit te vaak na elkaar geprobeerd" in html and "minuten" in html


def test_sign_up_is_limited_per_address(client, settings):
    _limit(settings, "sign_up", ip=2)
    url = reverse("accounts:sign_up")
    for n in range(2):
        assert (
            client.post(url, {**SIGN_UP, "email": f"n{n}@example.be"}, REMOTE_ADDR="192.0.2.1").status_code
            == 302
        )
    response = client.post(url, {**SIGN_UP, "email": "n3@example.be"}, REMOTE_ADDR="192.0.2.1")
    _assert_429_page(response)
    assert len(mail.outbox) == 2  # the refused one created nothing and sent nothing
    # Another address still signs up; the page itself (GET) is never limited.
    assert client.post(url, {**SIGN_UP, "email": "n4@example.be"}, REMOTE_ADDR="192.0.2.2").status_code == 302
    assert client.get(url, REMOTE_ADDR="192.0.2.1").status_code == 200
    english = client.post(
        url, {**SIGN_UP, "email": "n5@example.be"}, REMOTE_ADDR="192.0.2.1", HTTP_ACCEPT_LANGUAGE="en"
    )
    _assert_429_page(english, english=True)


def test_password_reset_is_limited_per_address_and_mails_are_capped_per_recipient(client, settings):
    _limit(settings, "password_reset", ip=3)
    settings.MAIL_MAX_PER_ADDRESS_PER_HOUR = 2
    UserFactory(email="doelwit@example.be")
    url = reverse("accounts:password_reset")
    # From many addresses (a botnet), one mailbox gets at most the cap.
    for n in range(5):
        response = client.post(url, {"email": "doelwit@example.be"}, REMOTE_ADDR=f"192.0.2.{10 + n}")
        assert response.status_code == 302  # the same answer every time: the cap tells nothing
    assert len(mail.outbox) == 2
    # From one address, the fourth request is refused with the 429 page.
    for _ in range(3):
        client.post(url, {"email": "iemand@example.be"}, REMOTE_ADDR="192.0.2.99")
    _assert_429_page(client.post(url, {"email": "iemand@example.be"}, REMOTE_ADDR="192.0.2.99"))


def test_the_unverified_login_resend_is_capped_per_recipient(client, settings):
    settings.MAIL_MAX_PER_ADDRESS_PER_HOUR = 2
    user = UserFactory(email="nognietbevestigd@example.be", email_verified_at=None)
    for n in range(4):
        client.post(
            reverse("accounts:login"),
            {"email": user.email, "password": "zonnepaneel-2026!"},
            REMOTE_ADDR=f"192.0.2.{30 + n}",
        )
    assert len(mail.outbox) == 2


@pytest.fixture
def homeowner(client):
    profile = ProfileFactory()
    client.force_login(profile.user)
    return profile.user


def test_meter_pages_are_limited_per_user(client, settings, homeowner):
    """Connect, the mandate return page, export, import and the battery what-if: the view does not
    even run once over."""
    for action in ("meter_connect", "mandate_return", "export", "import", "battery_whatif"):
        _limit(settings, action, user=1, ip=100)
    meter = MeterFactory(owner=homeowner)
    mandate = MandateFactory(user=homeowner, ean=meter.ean)
    requests = [
        ("post", reverse("meters:connect", args=[meter.pk]), {}),
        ("get", reverse("meters:mandate_return", args=[mandate.reference_number]), {}),
        ("get", reverse("meters:export_download", args=[meter.pk]), {"van": "x"}),
        ("post", reverse("meters:import", args=[meter.pk]), {}),
        # A year's simulation per view: each costs a tenth of a second of a core.
        ("get", reverse("meters:battery", args=[meter.pk]), {}),
    ]
    settings.FLUVIUS_BASE_URL = "http://127.0.0.1:9/esco"  # the first connect fails fast, offline
    settings.FLUVIUS_TOKEN_URL = "http://127.0.0.1:9/token"
    settings.FLUVIUS_MAX_RETRIES = 0
    for method, url, data in requests:
        first = getattr(client, method)(url, data)
        assert first.status_code != 429, url
        _assert_429_page(getattr(client, method)(url, data))
    # The export form and the import form (GETs) stay reachable, so the page can say so.
    assert client.get(reverse("meters:export", args=[meter.pk])).status_code == 200
    assert client.get(reverse("meters:import", args=[meter.pk])).status_code == 200


def test_another_users_meter_is_still_404_and_anonymous_still_goes_to_login(client, settings, homeowner):
    _limit(settings, "export", user=100, ip=100)
    others = MeterFactory()
    url = reverse("meters:export_download", args=[others.pk])
    assert client.get(url, {"van": "x"}).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_a_forged_x_forwarded_for_does_not_open_a_new_counter(client, settings):
    """Without trusted proxies (TRUSTED_PROXY_COUNT=0) the header is the client's own text: ignored."""
    _limit(settings, "sign_up", ip=1)
    url = reverse("accounts:sign_up")
    client.post(
        url, {**SIGN_UP, "email": "a@example.be"}, REMOTE_ADDR="192.0.2.50", HTTP_X_FORWARDED_FOR="1.1.1.1"
    )
    response = client.post(
        url, {**SIGN_UP, "email": "b@example.be"}, REMOTE_ADDR="192.0.2.50", HTTP_X_FORWARDED_FOR="2.2.2.2"
    )
    assert response.status_code == 429
