"""The Fluvius simulator, over real HTTP to a real subprocess (tests/conftest.py).

Checks the contract's simulator section: gateway and token errors, validation, mandates, the
energy payload, truth CSV (DST days too), faults, revocation, persistence and the page.
"""

import re
import threading
import time
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import pytest
import requests
from django.conf import settings

from ilusmart.fluvius.simulator.data import MeterProfile, generate_day
from ilusmart.fluvius.simulator.testing import SimulatorProcess

EAN = "541448820050357909"
OTHER_EAN = "541448820050357916"
REFERENCE = "SIMTEST1"
NOW = "2025-07-01T12:00:00Z"
DAY_FROM = "2025-06-13T22:00:00Z"  # local 2025-06-14 (CEST)
DAY_TO = "2025-06-14T22:00:00Z"
TRUTH_HEADER = "start_utc,end_utc,offtake_kwh,injection_kwh,offtake_state,injection_state"
ROW = re.compile(
    r"\d{4}-\d\d-\d\dT\d\d:\d\d:00Z,\d{4}-\d\d-\d\dT\d\d:\d\d:00Z,"
    r"(\d+\.\d{3},\d+\.\d{3},(READ|EST|VAL),(READ|EST|VAL)|,,,)"
)


def check_digit_ean(first_17: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(first_17)))
    return first_17 + str((10 - total % 10) % 10)


# --- fixtures and helpers -----------------------------------------------------------------------


@pytest.fixture
def sim(fluvius_settings):
    """A reset simulator, clock frozen at NOW, one registered meter."""
    fluvius_settings.post("/_sim/clock", {"now": NOW}).raise_for_status()
    response = fluvius_settings.post(
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
    assert response.status_code == 201, response.text
    return fluvius_settings


def token(sim) -> str:
    response = requests.post(
        sim.token_url,
        data={
            "grant_type": "client_credentials",
            "client_id": settings.FLUVIUS_CLIENT_ID,
            "client_secret": settings.FLUVIUS_CLIENT_SECRET,
            "scope": settings.FLUVIUS_SCOPE,
        },
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


@pytest.fixture
def api(sim):
    """An authenticated API caller: api(method, path, **requests kwargs)."""
    headers = {
        "Authorization": f"Bearer {token(sim)}",
        "Ocp-Apim-Subscription-Key": settings.FLUVIUS_SUBSCRIPTION_KEY,
    }

    def call(method, path, **kwargs):
        kwargs.setdefault("timeout", 30)
        return requests.request(method, sim.api_base + path, headers=headers, **kwargs)

    return call


def energy_params(**overrides):
    params = {
        "ean": EAN,
        "periodType": "readTime",
        "referenceNumber": REFERENCE,
        "granularity": "daily,hourly_quarterhourly",
        "from": DAY_FROM,
        "to": DAY_TO,
    }
    params.update(overrides)
    return {key: value for key, value in params.items() if value is not None}


def mock_mandate(api, **overrides):
    body = {
        "referenceNumber": REFERENCE,
        "ean": EAN,
        "dataServiceType": "VH_kwartier_uur",
        "dataPeriodFrom": "2024-01-01T00:00:00Z",
        "dataPeriodTo": "2027-01-01T00:00:00Z",
        "status": "Approved",
        "mandateExpirationDate": "2027-01-01T00:00:00Z",
    }
    body.update(overrides)
    response = api("POST", "/api/mandate/mock", json=body)
    assert response.status_code == 200, response.text
    return response.json()["data"]["mandate"]


def short_url_body(**overrides):
    body = {
        "dataAccessContractNumber": settings.FLUVIUS_DATA_ACCESS_CONTRACT_NUMBER,
        "referenceNumber": REFERENCE,
        "flow": "B2C",
        "numberOfEans": 1,
        "sso": True,
        "dataServices": [
            {
                "dataServiceType": "VH_kwartier_uur",
                "dataPeriodFrom": "2024-07-01T00:00:00Z",
                "dataPeriodTo": "2028-06-30T00:00:00Z",
            }
        ],
        "returnUrlSuccess": f"{settings.SITE_URL}/mandaat/klaar?ref={REFERENCE}",
        "returnUrlFailed": f"{settings.SITE_URL}/mandaat/mislukt",
    }
    body.update(overrides)
    return body


def open_session(api, **overrides) -> str:
    response = api("POST", "/api/shortUrlIdentifier", json=short_url_body(**overrides))
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["status"] == "success"
    assert re.fullmatch(r"[A-Za-z0-9]{6}", data["shortUrlIdentifier"])
    return data["shortUrlIdentifier"]


def truth_rows(sim, ean, start, end):
    response = sim.get(f"/_sim/truth?ean={ean}&from={start}&to={end}")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/csv")
    assert not response.content.startswith(b"\xef\xbb\xbf")
    lines = response.text.split("\n")
    assert lines[0] == TRUTH_HEADER and lines[-1] == ""
    return lines[1:-1]


# --- token endpoint and gateway -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "status", "error"),
    [
        ({"client_secret": "wrong"}, 401, "invalid_client"),
        ({"client_id": "someone-else"}, 400, "unauthorized_client"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({"scope": "api://other/.default"}, 400, "invalid_scope"),
    ],
)
def test_token_endpoint_refuses_wrong_credentials(sim, change, status, error):
    data = {
        "grant_type": "client_credentials",
        "client_id": settings.FLUVIUS_CLIENT_ID,
        "client_secret": settings.FLUVIUS_CLIENT_SECRET,
        "scope": settings.FLUVIUS_SCOPE,
        **change,
    }
    response = requests.post(sim.token_url, data=data, timeout=10)
    assert response.status_code == status
    assert response.json()["error"] == error


def test_token_response_shape(sim):
    response = requests.post(
        sim.token_url,
        data={
            "grant_type": "client_credentials",
            "client_id": settings.FLUVIUS_CLIENT_ID,
            "client_secret": settings.FLUVIUS_CLIENT_SECRET,
            "scope": settings.FLUVIUS_SCOPE,
        },
        timeout=10,
    )
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3599 and body["ext_expires_in"] == 3599
    assert len(body["access_token"]) > 20


def test_subscription_key_and_bearer_are_checked(sim):
    url = sim.api_base + "/api/mandate"
    key = {"Ocp-Apim-Subscription-Key": settings.FLUVIUS_SUBSCRIPTION_KEY}

    missing_key = requests.get(url, headers={"Authorization": f"Bearer {token(sim)}"}, timeout=10)
    assert missing_key.status_code == 401
    assert missing_key.json()["statusCode"] == 401
    assert missing_key.json()["message"].startswith("Access denied due to missing subscription key.")

    wrong_key = requests.get(url, headers={"Ocp-Apim-Subscription-Key": "nope"}, timeout=10)
    assert wrong_key.status_code == 401
    assert "invalid subscription key" in wrong_key.json()["message"]

    for headers in (key, {**key, "Authorization": "Bearer forged"}, {**key, "Authorization": "Basic x"}):
        response = requests.get(url, headers=headers, timeout=10)
        assert response.status_code == 401
        assert response.json() == {
            "statusCode": 401,
            "message": "Unauthorized. Access token is missing or invalid.",
        }

    valid = {**key, "Authorization": f"Bearer {token(sim)}"}
    assert requests.get(url, headers=valid, timeout=10).status_code == 200
    assert sim.post("/_sim/tokens/expire").json()["expired"] >= 1
    assert requests.get(url, headers=valid, timeout=10).status_code == 401


def test_paths_and_query_keys_are_case_insensitive(sim, api):
    mock_mandate(api)
    lower = api("GET", "/api/mandate/energy", params=energy_params())
    mixed = api(
        "GET",
        "/api/Mandate/Energy",
        params={key[0].upper() + key[1:]: value for key, value in energy_params().items()},
    )
    assert lower.status_code == mixed.status_code == 200
    assert lower.json()["data"] == mixed.json()["data"]


def test_rate_limit_answers_429_with_retry_after(sim, api):
    sim.post("/_sim/config", {"rateLimitPerMinute": 3}).raise_for_status()
    statuses = [api("GET", "/api/mandate").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    throttled = api("GET", "/api/mandate")
    assert throttled.json()["statusCode"] == 429
    assert throttled.json()["message"].startswith("Rate limit is exceeded. Try again in ")
    assert 1 <= int(throttled.headers["Retry-After"]) <= 60
    sim.reset()  # restores the contract's default of 60 a minute
    assert sim.get("/_sim/config").json()["rateLimitPerMinute"] == 60


# --- energy: validation, 404 and 403 ----------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"ean": "541448820050357908"}, "not a valid EAN"),
        ({"ean": "5414"}, "not a valid EAN"),
        ({"from": DAY_TO, "to": DAY_FROM}, "from must be before to"),
        ({"to": DAY_FROM}, "from must be before to"),
        ({"from": "2025-01-01T00:00:00Z", "to": "2025-07-04T00:00:01Z"}, "184 days"),
        ({"periodType": "whenever"}, "periodType"),
        ({"periodType": None}, "periodType"),
        ({"granularity": "monthly"}, "granularity"),
        ({"granularity": None}, "granularity"),
        ({"from": "2025-06-14T00:00:00"}, "UTC"),
        ({"from": "2025-06-14T00:00:00+02:00"}, "UTC"),
        ({"from": None}, "from is required"),
        ({"referenceNumber": "with space"}, "referenceNumber"),
        ({"DataServiceType": "VH_maand", "granularity": None}, "DataServiceType"),
    ],
)
def test_energy_validation_errors(sim, api, overrides, fragment):
    mock_mandate(api)
    response = api("GET", "/api/mandate/energy", params=energy_params(**overrides))
    assert response.status_code == 400
    body = response.json()
    assert body["Type"] == "ValidationError" and body["Code"] == "INVALID_PARAMETER"
    assert any(fragment in message for message in body["ValidationErrorMessages"]), body


def test_184_days_is_allowed(sim, api):
    mock_mandate(api)
    response = api(
        "GET",
        "/api/mandate/energy",
        params=energy_params(**{"from": "2025-01-01T00:00:00Z", "to": "2025-07-04T00:00:00Z"}),
    )
    assert response.status_code == 200
    # Whole local days inside the window and published at NOW: 2025-01-02 .. 2025-06-30.
    daily = response.json()["data"]["headpoint"]["physicalMeters"][0]["dailyEnergy"]
    assert (len(daily), daily[0]["start"], daily[-1]["end"]) == (
        180,
        "2025-01-01T23:00:00Z",
        "2025-06-30T22:00:00Z",
    )


def test_energy_without_any_mandate_is_404(sim, api):
    response = api("GET", "/api/mandate/energy", params=energy_params())
    assert response.status_code == 404
    assert response.json()["Type"] == "NotFound" and response.json()["Code"] == "EAN_NOT_FOUND"


@pytest.mark.parametrize(
    ("mandate", "params"),
    [
        ({"status": "Requested"}, {}),
        ({"status": "Rejected"}, {}),
        ({"referenceNumber": "OTHERREF"}, {}),
        ({"dataServiceType": "VH_dag"}, {}),  # quarter-hours need VH_kwartier_uur
        ({"dataPeriodFrom": "2025-06-14T00:00:00Z"}, {}),  # window starts before the data period
        ({}, {"from": "2026-12-31T23:00:00Z", "to": "2027-01-01T01:00:00Z"}),  # ends after it
    ],
)
def test_energy_without_an_active_mandate_is_403(sim, api, mandate, params):
    mock_mandate(api, **mandate)
    response = api("GET", "/api/mandate/energy", params=energy_params(**params))
    assert response.status_code == 403
    assert response.json()["Type"] == "Forbidden" and response.json()["Code"] == "MANDATE_NOT_ACTIVE"


def test_daily_mandate_serves_daily_energy_only(sim, api):
    mock_mandate(api, dataServiceType="VH_dag")
    response = api("GET", "/api/mandate/energy", params=energy_params(granularity="daily"))
    assert response.status_code == 200
    meter = response.json()["data"]["headpoint"]["physicalMeters"][0]
    assert "quarterHourlyEnergy" not in meter and len(meter["dailyEnergy"]) == 1


# --- the mandate flow ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"dataAccessContractNumber": "SOMEONE-ELSE"}, "dataAccessContractNumber"),
        ({"referenceNumber": "x" * 33}, "referenceNumber"),
        ({"referenceNumber": "REF-1"}, "referenceNumber"),
        ({"returnUrlSuccess": "https://evil.example/"}, "returnUrlSuccess"),
        ({"returnUrlFailed": settings.SITE_URL + "evil.example/"}, "returnUrlFailed"),
        ({"numberOfEans": 0}, "numberOfEans"),
        ({"dataServices": []}, "dataServices"),
        (
            {
                "dataServices": [
                    {
                        "dataServiceType": "VH_uur",
                        "dataPeriodFrom": NOW,
                        "dataPeriodTo": "2026-01-01T00:00:00Z",
                    }
                ]
            },
            "dataServiceType",
        ),
        (
            {
                "dataServices": [
                    {
                        "dataServiceType": "VH_dag",
                        "dataPeriodFrom": "2026-01-01T00:00:00Z",
                        "dataPeriodTo": "2025-09-01T00:00:00Z",
                    }
                ]
            },
            "before dataPeriodTo",
        ),
    ],
)
def test_short_url_identifier_validation(sim, api, overrides, fragment):
    response = api("POST", "/api/shortUrlIdentifier", json=short_url_body(**overrides))
    assert response.status_code == 400
    assert any(fragment in message for message in response.json()["ValidationErrorMessages"]), response.json()


def test_full_approve_flow_via_decide(sim, api):
    short = open_session(api)
    assert api("GET", "/api/mandate", params={"referenceNumber": REFERENCE}).json()["data"]["mandates"] == []

    decided = sim.post(f"/_sim/sessions/{short}/decide", {"eans": [EAN], "decision": "approve"})
    assert decided.status_code == 200, decided.text
    assert decided.json()["redirect"] == f"{settings.SITE_URL}/mandaat/klaar?ref={REFERENCE}"

    mandates = api("GET", "/api/mandate", params={"referenceNumber": REFERENCE, "ean": EAN}).json()["data"][
        "mandates"
    ]
    assert len(mandates) == 1
    mandate = mandates[0]
    assert {k: mandate[k] for k in ("referenceNumber", "status", "ean", "energyType", "dataServiceType")} == {
        "referenceNumber": REFERENCE,
        "status": "Approved",
        "ean": EAN,
        "energyType": "E",
        "dataServiceType": "VH_kwartier_uur",
    }
    assert mandate["dataPeriodFrom"] == "2024-07-01T00:00:00Z"
    assert mandate["dataPeriodTo"] == mandate["mandateExpirationDate"] == "2028-06-30T00:00:00Z"
    assert mandate["renewalStatus"] is None
    assert mandate["lastUpdated"] == NOW

    response = api("GET", "/api/mandate/energy", params=energy_params())
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["_meta"]["fetchTime"] == NOW
    headpoint = body["data"]["headpoint"]
    assert headpoint["$type"] == "metering-on-meter"
    assert headpoint["ean"] == EAN and headpoint["energyType"] == "E"
    meter = headpoint["physicalMeters"][0]
    assert meter["seqNumber"] == "1" and meter["meterID"] == "1SAG1234567890"
    quarters = meter["quarterHourlyEnergy"]
    assert len(quarters) == 96
    assert quarters[0]["start"] == DAY_FROM and quarters[0]["end"] == "2025-06-13T22:15:00Z"
    assert quarters[-1]["end"] == DAY_TO
    offtake = injection = 0.0
    for quarter in quarters:
        if not quarter["measurements"]:
            continue
        (measurement,) = quarter["measurements"]
        # 2025-06-14 is a Saturday: everything on the night register.
        assert set(measurement["offtake"]) == set(measurement["injection"]) == {"night"}
        value = measurement["offtake"]["night"]
        assert value["unit"] == "kWh" and value["validationState"] == "VAL"
        assert round(value["value"], 3) == value["value"]
        offtake += value["value"]
        injection += measurement["injection"]["night"]["value"]
    (daily,) = meter["dailyEnergy"]
    assert daily["start"] == DAY_FROM and daily["end"] == DAY_TO
    totals = daily["measurements"][0]
    assert totals["offtake"]["total"]["value"] == pytest.approx(offtake, abs=1e-6)
    assert totals["injection"]["total"]["value"] == pytest.approx(injection, abs=1e-6)
    assert injection > 5  # a June day with 6.2 kWp


def test_weekday_registers_follow_local_time(sim, api):
    mock_mandate(api)
    # Monday 2025-06-16 local: 22:00Z on the 15th .. 22:00Z on the 16th.
    params = energy_params(**{"from": "2025-06-15T22:00:00Z", "to": "2025-06-16T22:00:00Z"})
    quarters = api("GET", "/api/mandate/energy", params=params).json()["data"]["headpoint"]["physicalMeters"][
        0
    ]["quarterHourlyEnergy"]
    registers = {
        q["start"]: next(iter(q["measurements"][0]["offtake"])) for q in quarters if q["measurements"]
    }
    assert registers.get("2025-06-16T04:45:00Z", "night") == "night"  # 06:45 local
    assert registers.get("2025-06-16T05:00:00Z", "day") == "day"  # 07:00 local
    assert registers.get("2025-06-16T19:45:00Z", "day") == "day"  # 21:45 local
    assert registers.get("2025-06-16T20:00:00Z", "night") == "night"  # 22:00 local
    assert set(registers.values()) == {"day", "night"}


def test_pending_holder_then_reject_and_mandate_filters(sim, api):
    short = open_session(api, numberOfEans=2)
    sim.post("/_sim/clock", {"now": "2025-07-02T08:00:00Z"})
    assert sim.post(
        f"/_sim/sessions/{short}/decide", {"eans": [EAN, OTHER_EAN], "decision": "pending_holder"}
    ).ok
    requested = api("GET", "/api/mandate", params={"status": "Requested"}).json()["data"]["mandates"]
    assert {m["ean"] for m in requested} == {EAN, OTHER_EAN}
    assert api("GET", "/api/mandate/energy", params=energy_params()).status_code == 403

    sim.post("/_sim/clock", {"now": "2025-07-05T08:00:00Z"})
    rejected = sim.post(f"/_sim/sessions/{short}/decide", {"eans": [OTHER_EAN], "decision": "reject"})
    assert rejected.json()["redirect"] == f"{settings.SITE_URL}/mandaat/mislukt"

    def refs(**params):
        return sorted(m["ean"] for m in api("GET", "/api/mandate", params=params).json()["data"]["mandates"])

    assert refs(lastUpdatedFrom="2025-07-03T00:00:00Z") == [OTHER_EAN]
    assert refs(lastUpdatedTo="2025-07-03T00:00:00Z") == [EAN]
    assert refs(status="Rejected") == [OTHER_EAN]
    assert refs(ean=EAN, dataServiceTypes="VH_kwartier_uur", energyType="E") == [EAN]
    assert refs(dataServiceTypes="VH_dag") == []
    assert refs(referenceNumber="NOBODY") == []
    bad = api("GET", "/api/mandate", params={"status": "Sleeping"})
    assert bad.status_code == 400 and bad.json()["Type"] == "ValidationError"


def test_renewal_status_and_expiry_follow_the_clock(sim, api):
    mock_mandate(api, dataPeriodTo="2026-01-01T00:00:00Z", mandateExpirationDate="2026-01-01T00:00:00Z")

    def mandate():
        return api("GET", "/api/mandate", params={"ean": EAN}).json()["data"]["mandates"][0]

    assert mandate()["renewalStatus"] is None
    sim.post("/_sim/clock", {"now": "2025-10-02T00:00:00Z"})
    assert mandate()["renewalStatus"] == "ToBeRenewed"
    assert mandate()["lastUpdated"] == "2025-10-01T00:00:00Z"
    assert [
        m["ean"]
        for m in api("GET", "/api/mandate", params={"renewalStatus": "ToBeRenewed"}).json()["data"][
            "mandates"
        ]
    ] == [EAN]
    sim.post("/_sim/clock", {"now": "2026-01-02T00:00:00Z"})
    assert (mandate()["status"], mandate()["renewalStatus"]) == ("Finished", "Expired")


def test_revoke_makes_energy_403(sim, api):
    mock_mandate(api)
    assert api("GET", "/api/mandate/energy", params=energy_params()).status_code == 200
    revoked = sim.post(f"/_sim/mandates/{REFERENCE}/{EAN}/revoke")
    assert revoked.status_code == 200 and revoked.json()["mandates"][0]["status"] == "Finished"
    response = api("GET", "/api/mandate/energy", params=energy_params())
    assert response.status_code == 403 and response.json()["Code"] == "MANDATE_NOT_ACTIVE"
    assert (
        api("GET", "/api/mandate", params={"status": "Finished"}).json()["data"]["mandates"][0]["ean"] == EAN
    )
    assert sim.post(f"/_sim/mandates/NOBODY/{EAN}/revoke").status_code == 404


# --- the stand-in Mijn Fluvius page -------------------------------------------------------------


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.action = None
        self.checkboxes = []
        self.buttons = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.action = attrs["action"]
        elif tag == "input" and attrs.get("type") == "checkbox":
            self.checkboxes.append((attrs["name"], attrs["value"]))
        elif tag == "button":
            self.buttons.append((attrs["name"], attrs["value"]))


@pytest.mark.parametrize(("button", "outcome"), [("approve", "Approved"), ("reject", "Rejected")])
def test_page_click_through(sim, api, button, outcome):
    short = open_session(api)
    portal = sim.portal_url + short
    page = requests.get(portal, timeout=10)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    form = _FormParser()
    form.feed(page.text)
    assert ("ean", EAN) in form.checkboxes
    assert ("decision", button) in form.buttons

    answer = requests.post(
        urljoin(portal, form.action), data={"ean": EAN, "decision": button}, allow_redirects=False, timeout=10
    )
    assert answer.status_code == 302
    body = short_url_body()
    expected = body["returnUrlSuccess"] if button == "approve" else body["returnUrlFailed"]
    assert answer.headers["Location"] == expected
    mandates = api("GET", "/api/mandate", params={"referenceNumber": REFERENCE}).json()["data"]["mandates"]
    assert [(m["ean"], m["status"]) for m in mandates] == [(EAN, outcome)]


def test_page_accepts_a_typed_ean_and_refuses_bad_input(sim, api):
    short = open_session(api)
    portal = sim.portal_url + short
    bad = requests.post(
        portal, data={"ean_other": "123", "decision": "approve"}, allow_redirects=False, timeout=10
    )
    assert bad.status_code == 400 and "not a valid EAN" in bad.text
    none = requests.post(portal, data={"decision": "approve"}, allow_redirects=False, timeout=10)
    assert none.status_code == 400
    typed = requests.post(
        portal, data={"ean_other": OTHER_EAN, "decision": "approve"}, allow_redirects=False, timeout=10
    )
    assert typed.status_code == 302
    assert (
        api("GET", "/api/mandate", params={"ean": OTHER_EAN}).json()["data"]["mandates"][0]["status"]
        == "Approved"
    )
    assert requests.get(sim.portal_url + "nope00", timeout=10).status_code == 404


# --- truth CSV ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("day", "count"), [("2025-03-30", 92), ("2025-10-26", 100), ("2025-06-14", 96)])
def test_truth_csv_format_and_dst_days(sim, day, count):
    sim.post("/_sim/clock", {"now": "2025-12-01T12:00:00Z"})
    start = date.fromisoformat(day)
    rows = truth_rows(sim, EAN, start, start + timedelta(days=1))
    assert len(rows) == count
    assert all(ROW.fullmatch(row) for row in rows), [r for r in rows if not ROW.fullmatch(r)]
    local_start = datetime.fromisoformat(day).replace(tzinfo=ZoneInfo("Europe/Brussels"))
    assert rows[0].startswith(local_start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    starts = [datetime.fromisoformat(row.split(",")[0]) for row in rows]
    assert all(b - a == timedelta(minutes=15) for a, b in zip(starts, starts[1:], strict=False))


def test_truth_follows_publication_and_validation(sim):
    # Local day D is published at 06:00 local on D+1 (READ, some EST) and validated (VAL, the
    # true values) once it is more than 5 days before the clock's local date.
    day = date(2025, 6, 14)
    sim.post("/_sim/clock", {"now": "2025-06-15T03:59:00Z"})  # 05:59 local
    assert all(row.endswith(",,,,") for row in truth_rows(sim, EAN, day, day + timedelta(days=1)))
    sim.post("/_sim/clock", {"now": "2025-06-15T04:00:00Z"})  # 06:00 local
    assert {row.split(",")[4] for row in truth_rows(sim, EAN, "2025-06-01", "2025-06-10")} - {""} == {"VAL"}
    published = truth_rows(sim, EAN, "2025-06-10", "2025-06-15")
    assert {row.split(",")[4] for row in published} - {""} == {"READ", "EST"}
    estimated = [row.split(",") for row in published if ",EST" in row]
    assert estimated

    sim.post("/_sim/clock", {"now": "2025-06-19T22:00:00Z"})  # local 2025-06-20 00:00
    validated = {
        row.split(",")[0]: row.split(",") for row in truth_rows(sim, EAN, "2025-06-10", "2025-06-15")
    }
    assert {row[4] for row in validated.values()} - {""} == {"VAL"}
    for row in estimated:
        now_row = validated[row[0]]
        for value, state in ((2, 4), (3, 5)):
            if row[state] == "EST":
                assert now_row[state] == "VAL" and now_row[value] != row[value]
            else:
                assert now_row[value] == row[value]


def test_truth_matches_the_api(sim, api):
    mock_mandate(api)
    sim.post("/_sim/clock", {"now": "2025-06-17T12:00:00Z"})  # 2025-06-14 published, not yet validated
    quarters = api("GET", "/api/mandate/energy", params=energy_params()).json()["data"]["headpoint"][
        "physicalMeters"
    ][0]["quarterHourlyEnergy"]
    served = []
    for quarter in quarters:
        if quarter["measurements"]:
            offtake = next(iter(quarter["measurements"][0]["offtake"].values()))
            injection = next(iter(quarter["measurements"][0]["injection"].values()))
            served.append(
                f"{quarter['start']},{quarter['end']},{offtake['value']:.3f},{injection['value']:.3f},"
                f"{offtake['validationState']},{injection['validationState']}"
            )
        else:
            served.append(f"{quarter['start']},{quarter['end']},,,,")
    assert served == truth_rows(sim, EAN, "2025-06-14", "2025-06-15")


def test_install_date_and_pv_failure(sim):
    sim.post("/_sim/clock", {"now": "2025-12-01T12:00:00Z"})
    update = sim.post(
        "/_sim/meters",
        {"ean": EAN, "installDate": "2025-06-10", "pvFailure": {"from": "2025-06-12", "to": "2025-06-14"}},
    )
    assert update.status_code == 200 and update.json()["kWp"] == 6.2
    rows = truth_rows(sim, EAN, "2025-06-09", "2025-06-15")
    by_day = {}
    for row in rows:
        by_day.setdefault(row[:10], []).append(row.split(","))
    assert all(r[2] == "" for r in by_day["2025-06-08"] + by_day["2025-06-09"][:88])  # before install
    failed = [r for r in rows if "2025-06-11T22:00" <= r[:16] < "2025-06-13T22:00"]
    assert failed and all(r.split(",")[3] in ("0.000", "") for r in failed)
    sunny = [r for r in rows if r[:16] >= "2025-06-13T22:00"]
    assert sum(float(r.split(",")[3] or 0) for r in sunny) > 1


def test_meter_registration_validates_eans(sim):
    assert sim.post("/_sim/meters", {"ean": "541448820050357908"}).status_code == 400
    assert sim.post("/_sim/meters", {"ean": EAN, "kWp": -1}).status_code == 400
    assert EAN in {m["ean"] for m in sim.get("/_sim/meters").json()["meters"]}


SANDBOX_EAN = "541449200000000011"  # Fluvius' sandbox style: fails the GS1 check digit


@pytest.mark.parametrize(("allow", "status"), [("true", 201), ("false", 400)])
def test_sandbox_eans_follow_the_simulators_setting(allow, status):
    """A simulator started with FLUVIUS_ALLOW_TEST_EANS=true takes a sandbox EAN, with false refuses it."""
    assert check_digit_ean(SANDBOX_EAN[:17]) != SANDBOX_EAN
    process = SimulatorProcess(env={"FLUVIUS_ALLOW_TEST_EANS": allow}).start()
    try:
        response = process.post("/_sim/meters", {"ean": SANDBOX_EAN})
        assert response.status_code == status, response.text
        registered = {m["ean"] for m in process.get("/_sim/meters").json()["meters"]}
        assert (SANDBOX_EAN in registered) is (status == 201)
        # A real EAN (valid check digit) is taken either way.
        assert process.post("/_sim/meters", {"ean": EAN}).status_code == 201
    finally:
        process.stop()


def test_insert_time_selects_by_publication(sim, api):
    mock_mandate(api)
    sim.post("/_sim/clock", {"now": "2025-06-16T12:00:00Z"})
    # 2025-06-15 04:00Z is 06:00 local: publication of local day 2025-06-14.
    params = energy_params(
        periodType="insertTime", **{"from": "2025-06-15T03:00:00Z", "to": "2025-06-15T05:00:00Z"}
    )
    meter = api("GET", "/api/mandate/energy", params=params).json()["data"]["headpoint"]["physicalMeters"][0]
    assert [q["start"] for q in meter["quarterHourlyEnergy"]][::95] == [DAY_FROM, "2025-06-14T21:45:00Z"]
    assert [d["start"] for d in meter["dailyEnergy"]] == [DAY_FROM]
    # 2025-06-20 00:00 local: 2025-06-14's EST values became VAL.
    sim.post("/_sim/clock", {"now": "2025-06-21T12:00:00Z"})
    params = energy_params(
        periodType="insertTime", **{"from": "2025-06-19T21:00:00Z", "to": "2025-06-19T23:00:00Z"}
    )
    meter = api("GET", "/api/mandate/energy", params=params).json()["data"]["headpoint"]["physicalMeters"][0]
    assert [d["start"] for d in meter["dailyEnergy"]] == [DAY_FROM]
    assert meter["dailyEnergy"][0]["measurements"][0]["offtake"]["total"]["validationState"] == "VAL"


# --- faults and the request log -----------------------------------------------------------------


def test_fault_queue_429_then_success(sim, api):
    mock_mandate(api)
    queued = sim.post(
        "/_sim/faults", {"path": "/API/Mandate/Energy", "status": 429, "count": 2, "retryAfter": 7}
    )
    assert queued.status_code == 201
    sim.post("/_sim/faults", {"path": "/api/mandate/energy", "status": 503})
    first = api("GET", "/api/mandate/energy", params=energy_params())
    second = api("GET", "/api/mandate/energy", params=energy_params())
    third = api("GET", "/api/mandate/energy", params=energy_params())
    fourth = api("GET", "/api/mandate/energy", params=energy_params())
    assert (first.status_code, second.status_code, third.status_code, fourth.status_code) == (
        429,
        429,
        503,
        200,
    )
    assert first.headers["Retry-After"] == "7"
    assert first.json() == {"statusCode": 429, "message": "Rate limit is exceeded. Try again in 7 seconds."}
    assert third.headers["Retry-After"] == "1" and third.json()["Type"] == "ServerError"
    log = [r for r in sim.get("/_sim/requests").json()["requests"] if r["path"].endswith("/energy")]
    assert [r["status"] for r in log] == [429, 429, 503, 200]
    assert log[0]["method"] == "GET" and log[0]["path"] == "/esco-sim/v3/api/mandate/energy"
    assert "ean=" + EAN in log[0]["query"] and log[0]["at"].endswith("Z")


def test_malformed_and_500_faults(sim, api):
    sim.post("/_sim/faults", {"path": "api/mandate", "status": "malformed"})
    sim.post("/_sim/faults", {"path": "/api/mandate/", "status": 500})
    malformed = api("GET", "/api/mandate")
    assert malformed.status_code == 200
    with pytest.raises(ValueError):
        malformed.json()
    assert api("GET", "/api/mandate").status_code == 500
    assert api("GET", "/api/mandate").status_code == 200
    assert sim.post("/_sim/faults", {"path": "/api/mandate", "status": 418}).status_code == 400


def _held_requests(sim, path: str) -> list[dict]:
    """Requests to ``path`` the simulator received and has not answered (yet)."""
    log = sim.get("/_sim/requests").json()["requests"]
    return [r for r in log if r["path"].endswith(path) and r["status"] is None]


def _wait_until(condition, what: str, timeout: float = 30.0) -> None:
    """Poll ``condition`` until it holds; fail (never hang) when it does not within ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.02)  # polling an observable state, not ordering by sleeping


def test_timeout_fault_holds_one_connection_while_others_are_served(sim, api):
    """Ordering by events, not by the clock: the second request is answered while the first is
    still held, and the held one ends without an answer. (Latencies: benchmarks/simulator.py.)"""
    sim.post("/_sim/faults", {"path": "/api/mandate", "status": "timeout", "seconds": 5})
    events, outcome = [], {}

    def held():
        try:
            api("GET", "/api/mandate", timeout=60)
            outcome["error"] = None
        except requests.RequestException as exc:
            outcome["error"] = exc
        events.append("held request ended")

    thread = threading.Thread(target=held, daemon=True)
    thread.start()
    _wait_until(lambda: _held_requests(sim, "/api/mandate"), "the held request to reach the simulator")

    assert api("GET", "/api/mandate").status_code == 200  # served while the other one hangs
    events.append("second request answered")

    thread.join(timeout=60)
    assert not thread.is_alive(), "the held request never ended"
    assert events == ["second request answered", "held request ended"]
    assert isinstance(outcome["error"], requests.ConnectionError)  # closed without an answer
    log = [r for r in sim.get("/_sim/requests").json()["requests"] if r["path"].endswith("/api/mandate")]
    assert [r["status"] for r in log] == [None, 200]  # the held one was never answered
    with pytest.raises(requests.Timeout):
        sim.post("/_sim/faults", {"path": "/api/mandate", "status": "timeout", "seconds": 5})
        api("GET", "/api/mandate", timeout=1)


# --- process: persistence and settings ----------------------------------------------------------


def test_state_survives_a_restart_with_state_file(tmp_path):
    state_file = tmp_path / "sim-state.json"
    first = SimulatorProcess(state_path=state_file).start()
    try:
        first.post("/_sim/clock", {"now": NOW}).raise_for_status()
        first.post("/_sim/meters", {"ean": EAN, "kWp": 4.4, "meterID": "1SAG0000000001"}).raise_for_status()
        body = short_url_body()
        tok = token(first)
        headers = {
            "Authorization": f"Bearer {tok}",
            "Ocp-Apim-Subscription-Key": settings.FLUVIUS_SUBSCRIPTION_KEY,
        }
        short = requests.post(
            first.api_base + "/api/shortUrlIdentifier", json=body, headers=headers, timeout=10
        ).json()["data"]["shortUrlIdentifier"]
        first.post(
            f"/_sim/sessions/{short}/decide", {"eans": [EAN], "decision": "approve"}
        ).raise_for_status()
        truth_before = first.get(f"/_sim/truth?ean={EAN}&from=2025-06-01&to=2025-06-02").text
    finally:
        first.stop()

    second = SimulatorProcess(port=first.port, state_path=state_file).start()
    try:
        assert second.get("/_sim/clock").json() == {"now": NOW, "frozen": True}
        assert second.get("/_sim/meters").json()["meters"][0]["kWp"] == 4.4
        assert second.get(f"/_sim/sessions/{short}").json()["referenceNumber"] == REFERENCE
        headers = {
            "Authorization": f"Bearer {token(second)}",
            "Ocp-Apim-Subscription-Key": settings.FLUVIUS_SUBSCRIPTION_KEY,
        }
        mandates = requests.get(second.api_base + "/api/mandate", headers=headers, timeout=10).json()["data"][
            "mandates"
        ]
        assert [(m["ean"], m["status"]) for m in mandates] == [(EAN, "Approved")]
        assert second.get(f"/_sim/truth?ean={EAN}&from=2025-06-01&to=2025-06-02").text == truth_before
    finally:
        second.stop()


def test_without_state_file_a_restart_forgets(tmp_path):
    first = SimulatorProcess().start()
    try:
        first.post("/_sim/meters", {"ean": EAN}).raise_for_status()
    finally:
        first.stop()
    second = SimulatorProcess(port=first.port).start()
    try:
        assert second.get("/_sim/meters").json()["meters"] == []
    finally:
        second.stop()


def test_refuses_to_start_when_disabled():
    process = SimulatorProcess(env={"FLUVIUS_SIMULATOR_ENABLED": "false"})
    with pytest.raises(RuntimeError, match="FLUVIUS_SIMULATOR_ENABLED"):
        process.start(timeout=30)
    assert process.process.returncode != 0


# --- the generator itself (in process) ----------------------------------------------------------


def test_generator_is_deterministic():
    """What a meter-year looks like; its speed is measured in benchmarks/simulator.py."""
    profile = MeterProfile(ean=OTHER_EAN, kwp=5.5, meter_id="1SAG2")
    days = [date(2023, 1, 1) + timedelta(days=n) for n in range(365)]
    year = [generate_day(profile, day) for day in days]
    slices = [q for day in year for q in day]
    assert len(slices) == 365 * 96
    offtake = sum(q.offtake_wh for q in slices if q.offtake_wh is not None) / 1000
    injection = sum(q.injection_wh for q in slices if q.injection_wh is not None) / 1000
    assert 1500 < offtake < 6000 and 2000 < injection < 5500
    missing = sum(q.offtake_wh is None for q in slices) / len(slices)
    estimated = sum(q.offtake_est_wh is not None for q in slices) / len(slices)
    assert 0.0005 < missing < 0.005 and 0.005 < estimated < 0.02
    assert all(q.offtake_est_wh != q.offtake_wh for q in slices if q.offtake_est_wh is not None)
    again = MeterProfile(ean=OTHER_EAN, kwp=5.5, meter_id="1SAG2")
    assert generate_day(again, date(2023, 6, 1)) == year[151]
    assert generate_day(profile, date(2022, 12, 31)) != ()
    assert generate_day(MeterProfile(ean=OTHER_EAN, install_date=date(2024, 1, 1)), date(2023, 6, 1)) == ()
