"""The API against its own OpenAPI schema: schemathesis fuzzes every operation of the live test
server with real data (a homeowner with a meter, readings, a mandate, a fault) and a real token.
Every answer must be no 5xx and valid against the schema (status, content type, headers, body);
every other check schemathesis has runs too, except ``NOT_OURS``.

Half the cases of an operation with an object in its path use the homeowner's own object (so the
2xx answers are checked too), the other half whatever schemathesis makes up (404s).
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import ApiToken
from accounts.services.api_tokens import api_token_create
from meters.models import Fault
from meters.services.ingest import readings_ingest
from tests.factories import MeterFactory, ProductFactory, ProfileFactory, covering_mandate
from tests.meters.values import day_values, qh, utc

EXAMPLES_PER_OPERATION = 40
# Schema-valid input that a rule beyond the schema refuses is a 400 here, by design: a wrong
# password, a phone number that does not parse, a range longer than allowed. The schema cannot
# say those, so "every schema-valid request is accepted" is not a property of this API.
NOT_OURS = [schemathesis.checks.positive_data_acceptance]


@pytest.fixture
def homeowner(api_token, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            "api_token": "100000/minute",
            "api_ip": "100000/minute",
            "api_login": "5/minute",
            "api_whatif": "100000/minute",
        },
    }
    # Starting a mandate reaches "Fluvius": closed here, so it answers 503 at once, as documented.
    settings.FLUVIUS_BASE_URL = "http://127.0.0.1:9/esco"
    settings.FLUVIUS_TOKEN_URL = "http://127.0.0.1:9/token"
    user = ProfileFactory().user
    meter = MeterFactory(owner=user)
    covering_mandate(meter)
    ProductFactory(meter=meter)
    readings_ingest(
        meter=meter,
        values=[
            *day_values(utc("2025-10-25T22:00"), 100, offtake={0: "0.125", 50: None}, injection={60: "1.5"}),
            *day_values(utc("2025-03-29T23:00"), 92, offtake={8: "0.200"}, register="night"),
            qh("2025-10-28T10:00", "offtake", "0.050", "EST"),
        ],
    )
    Fault.objects.create(meter=meter, type=Fault.Type.INVERTER_SUSPECTED, started="2025-10-27")
    raw = api_token(user, "schemathesis")
    api_token(user, "spare")  # the one DELETE /auth/tokens/{id}/ may revoke
    spare = ApiToken.objects.get(user=user, device="spare")
    return {"token": raw, "path": {"ean": meter.ean, "token_id": spare.pk}}


@pytest.fixture
def login_counters_forgotten():
    """Made-up logins count failures for 127.0.0.1: forget them so later tests are not locked out."""
    yield
    from django.core.cache import cache

    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{cache.key_prefix}:*login:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.mark.django_db(transaction=True)
def test_every_operation_answers_as_its_schema_says(live_server, homeowner, login_counters_forgotten):
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/?format=json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12
    headers = {"Authorization": f"Bearer {homeowner['token']}"}
    failures = []
    # A pause or an erasure is carried out at once: each case gets a homeowner of its own.
    own_person = {"/api/v1/me/pause/", "/api/v1/me/deletion-request/", "/api/v1/me/export/"}
    for operation in operations:
        own = {k: v for k, v in homeowner["path"].items() if f"{{{k}}}" in operation.path}
        strategy = (
            st.one_of(operation.as_strategy(path_parameters=own), operation.as_strategy())
            if own
            else operation.as_strategy()
        )

        @given(case=strategy)
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
        )
        def run(case):
            if case.operation.path in own_person:
                token = api_token_create(user=ProfileFactory().user, device="schemathesis")[1]
                case.call_and_validate(
                    base_url=live_server.url,
                    headers={"Authorization": f"Bearer {token}"},
                    excluded_checks=NOT_OURS,
                )
                return
            case.call_and_validate(base_url=live_server.url, headers=headers, excluded_checks=NOT_OURS)

        try:
            run()
        except Exception as exc:  # collect every operation's failure, then report them together
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert not failures, "\n\n".join(failures)
