"""The Fluvius client against the real local simulator over HTTP (no HTTP mocks).

Uses the ``fluvius_settings`` fixture of tests/conftest.py: it points the FLUVIUS_* settings at
a running simulator and offers its control endpoints (.reset(), .post(), .get()).
The client's ``sleep`` is replaced by a recorder so back-offs are checked, not waited for.
"""

from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs

import pytest
from django.core.cache import cache

from ilusmart.fluvius.client import FluviusClient, format_utc, split_window
from ilusmart.fluvius.errors import (
    FluviusBadRequest,
    FluviusConfigurationError,
    FluviusMandateNotActive,
    FluviusNotFound,
    FluviusPayloadError,
    FluviusUnavailable,
)
from ilusmart.fluvius.types import Direction, Mandate, MandateList, ValidationState
from tests.fluvius.days import as_days

EAN = "541448820050357909"
OTHER_EAN = "541448820050357916"
REFERENCE = "ILUTEST1"
ENERGY_PATH = "/api/mandate/energy"
NOW = datetime(2025, 7, 1, 12, 0, tzinfo=UTC)
DAY_START = datetime(2025, 6, 13, 22, 0, tzinfo=UTC)  # local 2025-06-14 (CEST)
DAY_END = DAY_START + timedelta(days=1)


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture
def sim(fluvius_settings):
    """A freshly reset simulator with a frozen clock, one registered meter and no mandates."""
    fluvius_settings.reset()
    fluvius_settings.post("/_sim/clock", {"now": format_utc(NOW)})
    fluvius_settings.post(
        "/_sim/meters",
        {
            "ean": EAN,
            "energyType": "E",
            "hasPv": True,
            "kWp": 6.2,
            "meterID": "1SAG1234567890",
            "installDate": "2023-01-01",
        },
    )
    return fluvius_settings


@pytest.fixture
def sleeps():
    """Every back-off the client asked for, in seconds."""
    return []


@pytest.fixture
def token_requests():
    """URLs of token requests seen by the clients' sessions (real HTTP, only observed)."""
    return []


@pytest.fixture
def make_client(sim, sleeps, token_requests, settings):
    """Build clients from settings with a recording sleep and a tiny back-off; clean up after."""
    clients = []

    def make(**overrides):
        kwargs = {"sleep": sleeps.append, "backoff_base": 0.001}
        kwargs.update(overrides)
        client = FluviusClient.from_settings(**kwargs)

        def observe(response, *args, **kw):
            if response.request.url.startswith(settings.FLUVIUS_TOKEN_URL):
                token_requests.append(response.request.url)

        client.session.hooks["response"].append(observe)
        clients.append(client)
        return client

    # The simulator was reset, so a token cached in Redis by an earlier test is worthless.
    cache.delete(make().token_cache_key)
    clients.clear()
    yield make
    for client in clients:
        client.invalidate_token()
        client.close()


@pytest.fixture
def client(make_client):
    return make_client()


@pytest.fixture
def approved(client):
    """An Approved mandate for (REFERENCE, EAN) covering 2024-2027."""
    client.mandate_mock(
        reference_number=REFERENCE,
        ean=EAN,
        data_period_from=datetime(2024, 1, 1, tzinfo=UTC),
        data_period_to=datetime(2027, 1, 1, tzinfo=UTC),
        status="Approved",
        mandate_expiration_date=datetime(2027, 1, 1, tzinfo=UTC),
    )
    return client


def api_requests(sim, path=ENERGY_PATH):
    """The simulator's log of API requests whose path ends with ``path`` (case-insensitive)."""
    log = sim.get("/_sim/requests")
    log = log.json() if hasattr(log, "json") else log
    return [r for r in log["requests"] if r["path"].lower().rstrip("/").endswith(path.lower())]


def fault(sim, status, count=1, **extra):
    sim.post("/_sim/faults", {"path": ENERGY_PATH, "status": status, "count": count, **extra})


def fetch_day(client):
    return client.energy_fetch(ean=EAN, reference_number=REFERENCE, start=DAY_START, end=DAY_END)


def assert_full_day(values):
    assert len(values) == 2 * 96
    assert {v.direction for v in values} == {Direction.OFFTAKE, Direction.INJECTION}
    assert values[0].start == DAY_START
    assert values[-1].end == DAY_END


# --- pure helpers (no simulator needed) --------------------------------------------------------


def test_split_window_chunks_are_consecutive_and_at_most_184_days():
    start = datetime(2024, 1, 1, tzinfo=UTC)
    end = start + timedelta(days=400)
    chunks = split_window(start, end)
    assert chunks == [
        (start, start + timedelta(days=184)),
        (start + timedelta(days=184), start + timedelta(days=368)),
        (start + timedelta(days=368), end),
    ]


def test_split_window_small_and_exact():
    start = datetime(2024, 1, 1, tzinfo=UTC)
    assert split_window(start, start + timedelta(minutes=15)) == [(start, start + timedelta(minutes=15))]
    assert len(split_window(start, start + timedelta(days=184))) == 1
    assert len(split_window(start, start + timedelta(days=368))) == 2


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (datetime(2024, 1, 2, tzinfo=UTC), datetime(2024, 1, 1, tzinfo=UTC)),
        (datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 1, 1, tzinfo=UTC)),
        (datetime(2024, 1, 1), datetime(2024, 1, 2)),  # naive
    ],
)
def test_split_window_refuses_bad_ranges(start, end):
    with pytest.raises(ValueError):
        split_window(start, end)


def test_format_utc():
    from zoneinfo import ZoneInfo

    assert (
        format_utc(datetime(2025, 6, 14, 12, 0, tzinfo=ZoneInfo("Europe/Brussels"))) == "2025-06-14T10:00:00Z"
    )
    with pytest.raises(ValueError):
        format_utc(datetime(2025, 6, 14))


def test_certificate_settings_need_cryptography(settings):
    settings.FLUVIUS_CERT_PATH = "/etc/ilusmart/fluvius.pem"
    settings.FLUVIUS_KEY_PATH = "/etc/ilusmart/fluvius.key"
    settings.FLUVIUS_CERT_THUMBPRINT = "AB12"
    with pytest.raises(FluviusConfigurationError, match="cryptography"):
        FluviusClient.from_settings()


def test_reference_number_is_checked_before_sending(settings):
    client = FluviusClient.from_settings()
    with pytest.raises(ValueError):
        client.short_url_create(
            reference_number="not valid!",
            data_period_from=NOW,
            data_period_to=NOW + timedelta(days=1),
            return_url_success=f"{settings.SITE_URL}/ok/",
            return_url_failed=f"{settings.SITE_URL}/failed/",
        )


# --- happy paths ----------------------------------------------------------------------------------


def test_energy_fetch_one_local_day(approved, sim):
    values = fetch_day(approved)
    assert_full_day(values)
    # The simulator serves kWh with 3 decimals; the day is validated at NOW (more than 5 days ago).
    assert all(v.kwh is None or v.kwh.as_tuple().exponent >= -3 for v in values)
    assert {v.state for v in values if v.kwh is not None} == {ValidationState.VAL}
    (request,) = api_requests(sim)
    query = {k.lower(): v for k, v in parse_qs(request["query"]).items()}
    assert query["from"] == ["2025-06-13T22:00:00Z"]
    assert query["to"] == ["2025-06-14T22:00:00Z"]
    assert query["ean"] == [EAN]
    assert query["referencenumber"] == [REFERENCE]
    assert query["periodtype"] == ["readTime"]


def test_energy_matches_the_simulators_truth(approved, sim):
    values = {(v.start, v.direction): v for v in fetch_day(approved)}
    truth = sim.get(f"/_sim/truth?ean={EAN}&from=2025-06-14&to=2025-06-15")
    text = truth.text if hasattr(truth, "text") else truth
    rows = text.strip().splitlines()[1:]
    assert len(rows) == 96
    for row in rows:
        start, _end, offtake, injection, _os, _is = row.split(",")
        moment = datetime.fromisoformat(start.replace("Z", "+00:00"))
        got_offtake = values[(moment, Direction.OFFTAKE)].kwh
        got_injection = values[(moment, Direction.INJECTION)].kwh
        assert (f"{got_offtake:.3f}" if got_offtake is not None else "") == offtake
        assert (f"{got_injection:.3f}" if got_injection is not None else "") == injection


def test_short_url_decide_and_list_mandates(client, sim, settings):
    short_id, valid_to = client.short_url_create(
        reference_number="ILUFLOW1",
        data_period_from=datetime(2024, 7, 1, tzinfo=UTC),
        data_period_to=datetime(2027, 7, 1, tzinfo=UTC),
        return_url_success=f"{settings.SITE_URL}/mandaat/ok/",
        return_url_failed=f"{settings.SITE_URL}/mandaat/mislukt/",
    )
    assert short_id
    assert valid_to is None or valid_to > NOW
    assert client.mandates_list(reference_number="ILUFLOW1").mandates == ()
    sim.post(f"/_sim/sessions/{short_id}/decide", {"eans": [EAN], "decision": "approve"})
    (mandate,) = client.mandates_list(reference_number="ILUFLOW1").mandates
    assert mandate.ean == EAN
    assert mandate.status == "Approved"
    assert mandate.data_service_type == "VH_kwartier_uur"
    assert mandate.data_period_from == datetime(2024, 7, 1, tzinfo=UTC)
    assert client.mandates_list(ean=OTHER_EAN).mandates == ()


def test_mandates_come_back_parsed_with_fluvius_s_fetch_time(approved, sim):
    listing = approved.mandates_list(reference_number=REFERENCE)
    assert listing == MandateList(
        mandates=(
            Mandate(
                reference_number=REFERENCE,
                ean=EAN,
                status="Approved",
                energy_type="E",
                data_service_type="VH_kwartier_uur",
                data_period_from=datetime(2024, 1, 1, tzinfo=UTC),
                data_period_to=datetime(2027, 1, 1, tzinfo=UTC),
                expiration_date=datetime(2027, 1, 1, tzinfo=UTC),
                renewal_status=None,
            ),
        ),
        fetched_at=NOW,  # the simulator's (frozen) clock, not ours
    )
    later = NOW + timedelta(hours=3)
    sim.post("/_sim/clock", {"now": format_utc(later)})
    assert approved.mandates_list(ean=EAN).fetched_at == later


def test_a_mandate_answer_that_is_not_json_is_retried_like_a_5xx(make_client, sim, sleeps):
    client = make_client(max_retries=1)
    sim.post("/_sim/faults", {"path": "/api/mandate", "status": "malformed", "count": 1})
    assert client.mandates_list().mandates == ()
    assert len(sleeps) == 1
    sim.post("/_sim/faults", {"path": "/api/mandate", "status": "malformed", "count": 2})
    with pytest.raises(FluviusUnavailable, match="not valid JSON"):
        client.mandates_list()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"data": {"mandates": [{"status": "Approved", "ean": EAN}]}},
            "mandates[0] has no 'referenceNumber'",
        ),
        ({"data": {"mandates": {"ean": EAN}}}, "'data.mandates' must be a JSON array"),
        ({"_meta": {"fetchTime": "2025-07-01T12:00:00Z"}}, "no 'data' object"),
        ([{"referenceNumber": REFERENCE, "ean": EAN}], "JSON that is not an object"),
    ],
)
def test_a_mandate_answer_that_breaks_the_contract_is_a_payload_error(fluvius_stub, body, message):
    fluvius_stub.body = body
    client = fluvius_stub.client()
    with pytest.raises(FluviusPayloadError) as excinfo:
        client.mandates_list()
    assert message in str(excinfo.value)
    assert fluvius_stub.paths == ["/api/mandate"]  # never retried: asking again gives the same


# --- token ------------------------------------------------------------------------------------------


def test_token_is_cached_and_shared_between_clients(make_client, sim, token_requests):
    first = make_client()
    second = make_client()
    first.mandates_list(reference_number=REFERENCE)
    second.mandates_list(reference_number=REFERENCE)
    first.mandates_list(reference_number=REFERENCE)
    assert len(token_requests) == 1
    assert len(api_requests(sim, "/oauth2/v2.0/token")) == 1  # the simulator saw one too
    assert cache.get(first.token_cache_key) == second.get_token()
    # Every API call carried the token (none was refused).
    assert [r["status"] for r in api_requests(sim, "/api/mandate")] == [200, 200, 200]


def test_token_is_cached_with_a_ttl_below_expires_in(client):
    client.get_token()
    # Django's RedisCache has no ttl(); ask Redis itself for the key's remaining life.
    redis_key = cache.make_and_validate_key(client.token_cache_key)
    ttl = cache._cache.get_client(redis_key).ttl(redis_key)
    assert 0 < ttl <= 3599 - 60


def test_expired_token_is_refreshed_once(approved, sim, token_requests):
    token_requests.clear()
    cache.set(approved.token_cache_key, "expired-or-unknown-token", timeout=600)
    assert_full_day(fetch_day(approved))
    assert [r["status"] for r in api_requests(sim)] == [401, 200]
    assert len(token_requests) == 1
    assert cache.get(approved.token_cache_key) != "expired-or-unknown-token"


def test_token_expired_at_the_server_is_refreshed_once(approved, sim, token_requests):
    token_requests.clear()
    old_token = approved.get_token()
    sim.post("/_sim/tokens/expire").raise_for_status()
    assert_full_day(fetch_day(approved))
    assert [r["status"] for r in api_requests(sim)] == [401, 200]
    assert len(token_requests) == 1
    assert approved.get_token() != old_token


def test_works_without_the_shared_cache(make_client, sim, token_requests):
    class BrokenCache:
        """A cache whose backend is down: every call raises, as redis-py does."""

        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise ConnectionError("Redis is down")

            return fail

    client = make_client(cache=BrokenCache())
    client.mandates_list()
    client.mandates_list()
    assert len(token_requests) == 1  # kept in the process meanwhile
    assert [r["status"] for r in api_requests(sim, "/api/mandate")] == [200, 200]


def test_a_token_refused_twice_is_a_configuration_error(approved, sim, monkeypatch):
    # A token endpoint that keeps handing out tokens the API refuses: retry once, then alarm.
    monkeypatch.setattr(approved, "_fetch_token", lambda: ("never-valid", 3000))
    cache.set(approved.token_cache_key, "expired", timeout=600)
    with pytest.raises(FluviusConfigurationError, match="freshly issued token"):
        fetch_day(approved)
    assert [r["status"] for r in api_requests(sim)] == [401, 401]


def test_wrong_subscription_key_is_a_configuration_error(make_client, sim, sleeps):
    client = make_client(subscription_key="wrong-key")
    with pytest.raises(FluviusConfigurationError, match="subscription key"):
        client.mandates_list()
    assert len(api_requests(sim, "/api/mandate")) <= 1
    assert sleeps == []


def test_wrong_client_secret_is_a_configuration_error(make_client, sleeps):
    client = make_client(client_secret="wrong-secret")
    with pytest.raises(FluviusConfigurationError):
        client.mandates_list()
    assert sleeps == []


# --- retries ------------------------------------------------------------------------------------------


def test_429_waits_retry_after_then_succeeds(approved, sim, sleeps):
    fault(sim, 429, retryAfter=3)
    assert_full_day(fetch_day(approved))
    assert sleeps == [3]
    assert [r["status"] for r in api_requests(sim)] == [429, 200]


def test_retry_after_is_capped(make_client, sim, sleeps):
    client = make_client(retry_after_cap=2)
    fault(sim, 503, retryAfter=120)
    client.mandate_mock(
        reference_number=REFERENCE,
        ean=EAN,
        data_period_from=datetime(2024, 1, 1, tzinfo=UTC),
        data_period_to=datetime(2027, 1, 1, tzinfo=UTC),
    )
    assert_full_day(fetch_day(client))
    assert sleeps == [2]


def test_500_backs_off_then_succeeds(approved, sim, sleeps):
    fault(sim, 500)
    assert_full_day(fetch_day(approved))
    assert len(sleeps) == 1
    assert 0 < sleeps[0] <= 0.001
    assert [r["status"] for r in api_requests(sim)] == [500, 200]


def test_back_off_grows_exponentially(approved, sim, sleeps):
    fault(sim, 500, count=3)
    approved.backoff_base = 1.0
    assert_full_day(fetch_day(approved))
    assert len(sleeps) == 3
    # Equal jitter: retry n waits between 2**n / 2 and 2**n seconds.
    for n, delay in enumerate(sleeps):
        assert 2**n / 2 <= delay <= 2**n


def test_malformed_body_is_retried(approved, sim, sleeps):
    fault(sim, "malformed")
    assert_full_day(fetch_day(approved))
    assert len(sleeps) == 1
    assert [r["status"] for r in api_requests(sim)] == [200, 200]


def test_timeout_is_retried(approved, sim, sleeps, settings):
    settings.FLUVIUS_TIMEOUT_SECONDS = 0.5
    client = FluviusClient.from_settings(sleep=sleeps.append, backoff_base=0.001)
    assert client.timeout == 0.5
    fault(sim, "timeout", seconds=1.5)
    try:
        assert_full_day(fetch_day(client))
    finally:
        client.close()
    assert len(sleeps) == 1
    assert len(api_requests(sim)) == 2


def test_retries_exhausted_raise_unavailable(make_client, sim, sleeps):
    client = make_client(max_retries=2)
    client.mandate_mock(
        reference_number=REFERENCE,
        ean=EAN,
        data_period_from=datetime(2024, 1, 1, tzinfo=UTC),
        data_period_to=datetime(2027, 1, 1, tzinfo=UTC),
    )
    fault(sim, 500, count=3)
    with pytest.raises(FluviusUnavailable) as excinfo:
        fetch_day(client)
    assert excinfo.value.attempts == 3
    assert excinfo.value.status_code == 500
    assert len(sleeps) == 2
    assert [r["status"] for r in api_requests(sim)] == [500, 500, 500]


def test_retries_log_a_warning(approved, sim, caplog):
    fault(sim, 503, retryAfter=1)
    with caplog.at_level("WARNING", logger="ilusmart.fluvius"):
        fetch_day(approved)
    assert "HTTP 503" in caplog.text
    assert "retry 1 of" in caplog.text


# --- errors that are never retried -------------------------------------------------------------------


def test_400_is_not_retried(approved, sim, sleeps):
    with pytest.raises(FluviusBadRequest) as excinfo:
        approved.energy_fetch(ean="123", reference_number=REFERENCE, start=DAY_START, end=DAY_END)
    assert excinfo.value.status_code == 400
    assert excinfo.value.code == "INVALID_PARAMETER"
    assert excinfo.value.validation_errors
    assert sleeps == []
    assert len(api_requests(sim)) == 1


def test_403_when_the_mandate_is_not_approved(client, sim, sleeps):
    client.mandate_mock(
        reference_number=REFERENCE,
        ean=EAN,
        data_period_from=datetime(2024, 1, 1, tzinfo=UTC),
        data_period_to=datetime(2027, 1, 1, tzinfo=UTC),
        status="Requested",
    )
    with pytest.raises(FluviusMandateNotActive) as excinfo:
        fetch_day(client)
    assert excinfo.value.status_code == 403
    assert sleeps == []
    assert len(api_requests(sim)) == 1


def test_403_after_revocation(approved, sim):
    sim.post(f"/_sim/mandates/{REFERENCE}/{EAN}/revoke", {})
    with pytest.raises(FluviusMandateNotActive):
        fetch_day(approved)


def test_404_without_any_mandate(client, sim, sleeps):
    with pytest.raises(FluviusNotFound) as excinfo:
        client.energy_fetch(ean=OTHER_EAN, reference_number="ILUNONE", start=DAY_START, end=DAY_END)
    assert excinfo.value.status_code == 404
    assert sleeps == []
    assert len(api_requests(sim)) == 1


# --- chunking ----------------------------------------------------------------------------------------


def test_400_days_are_fetched_in_184_day_chunks(approved, sim):
    start = datetime(2024, 3, 1, tzinfo=UTC)
    end = start + timedelta(days=400)
    values = approved.energy_fetch(ean=EAN, reference_number=REFERENCE, start=start, end=end)
    requests_made = api_requests(sim)
    assert [r["status"] for r in requests_made] == [200, 200, 200]
    windows = []
    for request in requests_made:
        query = {k.lower(): v[0] for k, v in parse_qs(request["query"]).items()}
        windows.append((query["from"], query["to"]))
    assert windows == [
        (format_utc(start), format_utc(start + timedelta(days=184))),
        (format_utc(start + timedelta(days=184)), format_utc(start + timedelta(days=368))),
        (format_utc(start + timedelta(days=368)), format_utc(end)),
    ]
    starts = [v.start for v in values if v.direction is Direction.OFFTAKE]
    assert starts == sorted(set(starts))  # no overlap, no duplicates
    assert len(starts) == 400 * 96
    assert starts[0] == start
    assert starts[-1] == end - timedelta(minutes=15)


def test_energy_fetch_days_is_energy_fetch_per_local_day(approved, sim):
    # 185 days from 00:00Z (01:00 local): two chunks, the boundary in the middle of a local day.
    start = datetime(2024, 3, 1, tzinfo=UTC)
    end = start + timedelta(days=185)
    values = approved.energy_fetch(ean=EAN, reference_number=REFERENCE, start=start, end=end)
    days = approved.energy_fetch_days(ean=EAN, reference_number=REFERENCE, start=start, end=end)
    assert len(api_requests(sim)) == 4
    assert days == as_days(values)
    assert [d.day for d in days] == [date(2024, 3, 1) + timedelta(days=i) for i in range(186)]
    # The local day cut at the chunk boundary (00:00Z = 02:00 local) is whole: 96 slots.
    cut = days[184]
    assert cut.day == date(2024, 9, 1)
    assert len(cut.offtake_quality) == 96
    assert cut.offtake_quality[:8].count("-") < 8 and cut.offtake_quality[8:].count("-") < 88
    assert days[0].offtake_quality[:4] == "----" and days[-1].offtake_quality[8:] == "-" * 88
