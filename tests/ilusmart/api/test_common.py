"""The API's shared parts (ilusmart/api): error shape, no-store, CORS, throttles, schema and docs."""

import re

import pytest
from django.urls import reverse

from tests.factories import ProfileFactory


@pytest.mark.django_db
def test_errors_have_one_shape_and_nothing_is_stored(client, bearer):
    auth = bearer(ProfileFactory().user)
    answers = [
        client.get("/api/v1/meters/541448800000000000/", **auth),  # 404
        client.get(reverse("api:me")),  # 401
        client.post(reverse("api:me"), {}, content_type="application/json", **auth),  # 405
        client.patch(reverse("api:me"), "{nope", content_type="application/json", **auth),  # 400 parse
        client.patch(
            reverse("api:me"), "a=b", content_type="application/x-www-form-urlencoded", **auth
        ),  # 415
    ]
    assert [a.status_code for a in answers] == [404, 401, 405, 400, 415]
    for answer in answers:
        error = answer.json()["error"]
        assert set(error) == {"code", "message", "fields"} and error["code"] and error["message"]
        assert "no-store" in answer["Cache-Control"]
    assert [a.json()["error"]["code"] for a in answers] == [
        "not_found",
        "not_authenticated",
        "method_not_allowed",
        "parse_error",
        "unsupported_media_type",
    ]


@pytest.mark.django_db
def test_throttled_per_token_and_per_ip(client, bearer, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_token": "3/minute", "api_ip": "7/minute", "api_login": "2/minute"},
    }
    first, second = bearer(ProfileFactory().user), bearer(ProfileFactory().user)
    assert [client.get(reverse("api:me"), **first).status_code for _ in range(4)] == [200, 200, 200, 429]
    refused = client.get(reverse("api:me"), **first)
    assert refused.json()["error"]["code"] == "rate_limited" and int(refused["Retry-After"]) > 0
    # Another device has its own budget, until the address's runs out (7 per minute in all,
    # refused requests included).
    assert [client.get(reverse("api:me"), **second).status_code for _ in range(3)] == [200, 200, 429]
    third = bearer(ProfileFactory().user)
    assert client.get(reverse("api:me"), **third).status_code == 429
    assert client.get(reverse("api:me"), **third, REMOTE_ADDR="198.51.100.20").status_code == 200


@pytest.mark.django_db
def test_cors_is_closed_unless_origins_are_listed(client, bearer, settings):
    auth = bearer(ProfileFactory().user)
    preflight = {"HTTP_ORIGIN": "https://app.example.org", "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "GET"}
    closed = client.options(reverse("api:me"), **preflight)
    assert "access-control-allow-origin" not in {k.lower() for k in closed.headers}
    assert "access-control-allow-origin" not in {
        k.lower() for k in client.get(reverse("api:me"), **auth, **preflight).headers
    }
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.org"]
    opened = client.options(reverse("api:me"), **preflight)
    assert opened["Access-Control-Allow-Origin"] == "https://app.example.org"
    other = client.options(
        reverse("api:me"), HTTP_ORIGIN="https://evil.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert "access-control-allow-origin" not in {k.lower() for k in other.headers}
    page = client.get(reverse("accounts:login"), HTTP_ORIGIN="https://app.example.org")
    assert "access-control-allow-origin" not in {k.lower() for k in page.headers}  # the API only


@pytest.mark.django_db
def test_the_docs_page_is_served_locally_under_the_csp_with_a_nonce(client):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    html = response.content.decode()
    csp = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert f"script-src 'self' 'nonce-{nonce}'" in csp and f"style-src 'self' 'nonce-{nonce}'" in csp
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/static/drf_spectacular_sidecar/") for s in sources), sources
    assert html.count(f'nonce="{nonce}"') == 2  # the one inline style and the one inline script
    for source in sources:
        static = client.get(source)
        assert static.status_code == 200, source
        b"".join(static.streaming_content) if static.streaming else static.content
    assert reverse("api:schema") in html


@pytest.mark.django_db
def test_the_schema_describes_every_operation_and_its_errors(client):
    schema = client.get(reverse("api:schema") + "?format=json").json()
    assert schema["openapi"].startswith("3.")
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert operation.get("description") or operation.get("summary"), (path, method)
            assert {"400", "401", "404", "429"} <= set(operation["responses"]), (path, method)
            error = operation["responses"]["404"]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/Error"}
    assert {"bearerAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])


@pytest.mark.django_db
def test_too_many_query_parameters_is_a_json_400(client, bearer):
    # Django refuses more than DATA_UPLOAD_MAX_NUMBER_FIELDS parameters (TooManyFieldsSent); the
    # API answers it in its one error shape, not with the website's HTML 400 page.
    auth = bearer(ProfileFactory().user)
    query = "&".join(["capacity_kwh=5"] * 1001)
    response = client.get(f"/api/v1/meters/541448800000000000/battery/?{query}", **auth)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "too_many_fields"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_body_above_the_upload_limit_is_a_json_400(client, bearer, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    auth = bearer(ProfileFactory().user)
    body = '{"language": "' + "a" * 2000 + '"}'
    response = client.patch(reverse("api:me"), body, content_type="application/json", **auth)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "request_too_large"
