"""Security headers, the CSP report endpoint and security.txt (accounts/security.py, issue 9 item 8)."""

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from ilusmart import clock

pytestmark = pytest.mark.django_db

REPORT_URI_BODY = {
    "csp-report": {
        "document-uri": "https://ilusmart.example/meters/3/?token=secret#frag",
        "referrer": "",
        "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem",
        "original-policy": "default-src 'self'",
        "disposition": "enforce",
        "blocked-uri": "https://evil.example/x.js?u=1",
        "line-number": 12,
        "source-file": "https://ilusmart.example/static/js/app.js",
        "status-code": 200,
        "script-sample": "",
    }
}
REPORTING_API_BODY = [
    {
        "type": "csp-violation",
        "age": 10,
        "url": "https://ilusmart.example/accounts/profiel/",
        "user_agent": "Mozilla/5.0",
        "body": {
            "documentURL": "https://ilusmart.example/accounts/profiel/",
            "effectiveDirective": "style-src-attr",
            "blockedURL": "inline",
            "disposition": "enforce",
            "sample": "color: red",
            "lineNumber": 3,
            "columnNumber": 9,
            "statusCode": 200,
        },
    },
    {"type": "deprecation", "url": "https://ilusmart.example/", "body": {"id": "x", "message": "y"}},
]


def post_report(client, body, content_type="application/csp-report", **extra):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(reverse("csp_report"), data=data, content_type=content_type, **extra)


def violations_logged(caplog) -> list[dict]:
    return [
        json.loads(r.getMessage().removeprefix("CSP violation "))
        for r in caplog.records
        if r.name == "ilusmart.csp"
    ]


# --- headers on every page -----------------------------------------------------------------------


def test_every_page_denies_the_features_we_do_not_use(client):
    response = client.get(reverse("accounts:login"))
    policy = response.headers["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy
    assert "self" not in policy and "*" not in policy


def test_the_csp_names_our_report_endpoint_both_ways(client):
    response = client.get(reverse("accounts:login"))
    csp = response.headers["Content-Security-Policy"]
    assert f"report-uri {reverse('csp_report')}" in csp
    assert "report-to csp" in csp
    assert response.headers["Reporting-Endpoints"] == f'csp="http://testserver{reverse("csp_report")}"'


def test_answers_without_a_csp_name_no_reporting_endpoint(client):
    response = client.get(reverse("security_txt"))
    assert "Permissions-Policy" in response.headers
    if "Content-Security-Policy" not in response.headers:
        assert "Reporting-Endpoints" not in response.headers


# --- the report endpoint -------------------------------------------------------------------------


def test_a_report_uri_report_is_logged_without_query_strings(client, caplog):
    caplog.set_level(logging.WARNING, logger="ilusmart.csp")
    response = post_report(client, REPORT_URI_BODY)
    assert response.status_code == 204
    assert violations_logged(caplog) == [
        {
            "document": "https://ilusmart.example/meters/3/",
            "directive": "script-src-elem",
            "blocked": "https://evil.example/x.js",
            "disposition": "enforce",
            "source": "https://ilusmart.example/static/js/app.js",
            "line": 12,
            "status": 200,
        }
    ]


def test_a_reporting_api_batch_logs_its_csp_violations_only(client, caplog):
    caplog.set_level(logging.WARNING, logger="ilusmart.csp")
    response = post_report(client, REPORTING_API_BODY, content_type="application/reports+json")
    assert response.status_code == 204
    logged = violations_logged(caplog)
    assert len(logged) == 1
    assert logged[0]["directive"] == "style-src-attr"
    assert logged[0]["blocked"] == "inline"
    assert logged[0]["column"] == 9


def test_the_endpoint_needs_no_csrf_token_or_cookie(caplog):
    caplog.set_level(logging.WARNING, logger="ilusmart.csp")
    client = Client(enforce_csrf_checks=True)
    assert post_report(client, REPORT_URI_BODY).status_code == 204
    assert len(violations_logged(caplog)) == 1


def test_get_is_not_allowed(client):
    assert client.get(reverse("csp_report")).status_code == 405


DEEP = b"[" * 50_000 + b"]" * 50_000
HOSTILE = [
    pytest.param(b"", "application/csp-report", 400, id="empty"),
    pytest.param(b"not json", "application/csp-report", 400, id="not-json"),
    pytest.param(b"\xff\xfe\x00garbage", "application/csp-report", 400, id="not-utf8"),
    pytest.param(b"[" * 5_000 + b"]" * 5_000, "application/reports+json", 400, id="deeply-nested"),
    pytest.param(b"1" * 10_000, "application/csp-report", 400, id="huge-integer"),
    pytest.param(b"null", "application/csp-report", 400, id="null"),
    pytest.param(b"[]", "application/reports+json", 400, id="empty-list"),
    pytest.param(b'{"csp-report": "x"}', "application/csp-report", 400, id="report-not-an-object"),
    pytest.param(b'{"csp-report": {}}', "application/csp-report", 400, id="no-directive"),
    pytest.param(b'{"csp-report": {"violated-directive": 5}}', "application/csp-report", 400, id="wrong-type"),
    pytest.param(b'[{"type": "csp-violation"}]', "application/reports+json", 400, id="no-body"),
    pytest.param(b'[{"type": "csp-violation", "body": []}]', "application/reports+json", 400, id="body-list"),
    pytest.param(b"[1, 2]", "application/reports+json", 400, id="list-of-numbers"),
    pytest.param(json.dumps([REPORTING_API_BODY[0]] * 21).encode(), "application/reports+json", 400, id="too-many"),
    pytest.param(json.dumps(REPORT_URI_BODY).encode(), "text/plain", 400, id="wrong-content-type"),
    pytest.param(json.dumps(REPORT_URI_BODY).encode(), "multipart/form-data; boundary=x", 400, id="multipart"),
    pytest.param(b'{"csp-report": {"violated-directive": "a", "x": "' + b"a" * 20_000 + b'"}}',
                 "application/csp-report", 413, id="too-large"),
    pytest.param(DEEP, "application/reports+json", 413, id="deep-and-too-large"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "content_type", "status"), HOSTILE)
def test_hostile_bodies_are_refused_never_500(client, caplog, body, content_type, status):
    caplog.set_level(logging.WARNING, logger="ilusmart.csp")
    response = post_report(client, body, content_type=content_type)
    assert response.status_code == status
    assert violations_logged(caplog) == []


def test_a_lying_content_length_is_refused_before_the_body_is_read(client):
    response = post_report(client, REPORT_URI_BODY, CONTENT_LENGTH="999999999")
    assert response.status_code == 413


def test_a_bad_content_length_is_not_a_500(client):
    response = post_report(client, REPORT_URI_BODY, CONTENT_LENGTH="abc")
    assert response.status_code == 400


def test_a_value_cannot_forge_a_log_line_and_is_cut_short(client, caplog):
    caplog.set_level(logging.WARNING, logger="ilusmart.csp")
    body = {
        "csp-report": {
            "violated-directive": "img-src\nCRITICAL forged line",
            "blocked-uri": "data",
            "script-sample": "\u2028\x1b[31m" + "a" * 1000,
        }
    }
    assert post_report(client, body).status_code == 204
    record = next(r for r in caplog.records if r.name == "ilusmart.csp")
    message = record.getMessage()
    assert "\n" not in message and "\x1b" not in message and "\u2028" not in message
    logged = violations_logged(caplog)[0]
    assert logged["directive"] == "img-src\nCRITICAL"
    assert len(logged["sample"]) == 300


def test_reports_are_rate_limited_per_client_address(client, settings, caplog):
    caplog.set_level(logging.WARNING, logger="ilusmart.csp")
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "csp_report": {"ip": 3, "seconds": 60}}
    statuses = [post_report(client, REPORT_URI_BODY).status_code for _ in range(5)]
    assert statuses == [204, 204, 204, 429, 429]
    assert len(violations_logged(caplog)) == 3
    other = post_report(client, REPORT_URI_BODY, REMOTE_ADDR="203.0.113.9")
    assert other.status_code == 204


# --- security.txt --------------------------------------------------------------------------------


def fields(text: str) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in text.strip().splitlines())


def test_security_txt_follows_rfc_9116(client, settings):
    settings.SITE_URL = "https://ilusmart.example"
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    found = fields(response.text)
    assert found["Contact"] == f"mailto:{settings.SECURITY_CONTACT_EMAIL}"
    assert found["Preferred-Languages"] == "nl, en"
    assert found["Canonical"] == "https://ilusmart.example/.well-known/security.txt"
    expires = datetime.strptime(found["Expires"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert clock.now() < expires < clock.now() + timedelta(days=365)


def test_security_txt_expires_moves_with_the_clock(client, settings):
    first = fields(client.get("/.well-known/security.txt").text)["Expires"]
    settings.CLOCK_SHIFT = settings.CLOCK_SHIFT + timedelta(days=400)
    later = fields(client.get("/.well-known/security.txt").text)["Expires"]
    shift = datetime.fromisoformat(later.replace("Z", "+00:00")) - datetime.fromisoformat(
        first.replace("Z", "+00:00")
    )
    assert timedelta(days=399) < shift < timedelta(days=401)
    assert datetime.fromisoformat(later.replace("Z", "+00:00")) > clock.now()
