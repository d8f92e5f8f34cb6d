"""The simulated Fluvius v3 API: token endpoint, mandate flow and energy data.

Strict on purpose: whatever the contract leaves open is refused here rather than guessed, so a
client that works against the simulator does not rely on leniency the real API may not have.
"""

from datetime import UTC, datetime, timedelta

from .config import REFERENCE_PATTERN, SimulatorConfig, ean_accepted
from .data import (
    UNPUBLISHED,
    VALIDATED,
    day_phase,
    generate_day,
    iso_z,
    last_change_time,
    local_date_of,
    local_day_bounds,
    served_values,
)
from .state import (
    DATA_SERVICE_TYPES,
    ENERGY_TYPES,
    MANDATE_STATUSES,
    RENEWAL_STATUSES,
    SimulatorState,
    parse_utc,
)
from .web import BadRequestBody, Request, Response, json_response

MAX_WINDOW = timedelta(days=184)
MAX_MANDATE_SPAN = timedelta(days=3 * 366 + 1)
GRANULARITIES = ("daily", "hourly_quarterhourly")
PERIOD_TYPES = {"readtime": "readTime", "inserttime": "insertTime"}


# --- response bodies ---------------------------------------------------------------------------
def success(data: dict, now: datetime, status: int = 200) -> Response:
    """The ``{"_meta": {"fetchTime"}, "data": …}`` envelope."""
    return json_response({"_meta": {"fetchTime": iso_z(now)}, "data": data}, status)


def validation_error(messages: list[str]) -> Response:
    """400 ValidationError with its ValidationErrorMessages."""
    return json_response(
        {
            "Type": "ValidationError",
            "Code": "INVALID_PARAMETER",
            "Message": "One or more parameters are invalid.",
            "ValidationErrorMessages": messages,
        },
        400,
    )


def api_error(status: int, type_: str, code: str, message: str) -> Response:
    """An API error body ``{"Type", "Code", "Message"}``."""
    return json_response({"Type": type_, "Code": code, "Message": message}, status)


def gateway_error(status: int, message: str, headers: list[tuple[str, str]] | None = None) -> Response:
    """A gateway error body ``{"statusCode", "message"}``."""
    return json_response({"statusCode": status, "message": message}, status, headers)


def _oauth_error(status: int, error: str, description: str) -> Response:
    return json_response({"error": error, "error_description": description}, status)


# --- token endpoint ----------------------------------------------------------------------------
def token(request: Request, state: SimulatorState, config: SimulatorConfig) -> Response:
    """POST /oauth2/v2.0/token: client credentials with the configured id, secret and scope."""
    if request.method != "POST":
        return _oauth_error(405, "invalid_request", "Use POST.")
    content_type = (request.environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return _oauth_error(400, "invalid_request", "The body must be application/x-www-form-urlencoded.")
    form = {key: values[-1] for key, values in request.form().items()}
    if form.get("grant_type") != "client_credentials":
        return _oauth_error(400, "unsupported_grant_type", "Only grant_type=client_credentials is supported.")
    if not form.get("scope"):
        return _oauth_error(400, "invalid_request", "The request body must contain 'scope'.")
    if form.get("client_id") != config.client_id:
        return _oauth_error(
            400, "unauthorized_client", f"Application '{form.get('client_id')}' was not found."
        )
    if "client_assertion" in form:
        return _oauth_error(401, "invalid_client", "The simulator accepts a client_secret only.")
    if form.get("client_secret") != config.client_secret:
        return _oauth_error(401, "invalid_client", "Invalid client secret provided.")
    if form["scope"] != config.scope:
        return _oauth_error(400, "invalid_scope", f"The provided scope '{form['scope']}' is not valid.")
    lifetime = config.token_lifetime_seconds
    return json_response(
        {
            "token_type": "Bearer",
            "expires_in": lifetime,
            "ext_expires_in": lifetime,
            "access_token": state.token_issue(lifetime),
        }
    )


# --- gateway -----------------------------------------------------------------------------------
def gateway_check(request: Request, state: SimulatorState, config: SimulatorConfig) -> Response | None:
    """Subscription key, rate limit and bearer token, in the gateway's order; None when fine."""
    key = request.header("Ocp-Apim-Subscription-Key")
    if not key:
        return gateway_error(
            401,
            "Access denied due to missing subscription key. "
            "Make sure to include subscription key when making requests to an API.",
        )
    if key != config.subscription_key:
        return gateway_error(
            401,
            "Access denied due to invalid subscription key. "
            "Make sure to provide a valid key for an active subscription.",
        )
    retry_after = state.rate_check(key, config.rate_limit_per_minute)
    if retry_after is not None:
        return gateway_error(
            429,
            f"Rate limit is exceeded. Try again in {retry_after} seconds.",
            [("Retry-After", str(retry_after))],
        )
    authorization = request.header("Authorization") or ""
    scheme, _, bearer = authorization.partition(" ")
    if scheme.lower() != "bearer" or not state.token_valid(bearer.strip()):
        return gateway_error(401, "Unauthorized. Access token is missing or invalid.")
    return None


def route(request: Request, relative_path: str, state: SimulatorState, config: SimulatorConfig) -> Response:
    """Dispatch an authenticated API request (path relative to the API base, lower-cased)."""
    routes = {
        "/api/shorturlidentifier": ("POST", short_url_identifier),
        "/api/mandate": ("GET", mandate_list),
        "/api/mandate/mock": ("POST", mandate_mock),
        "/api/mandate/energy": ("GET", energy),
    }
    if relative_path not in routes:
        return gateway_error(404, "Resource not found")
    method, handler = routes[relative_path]
    if request.method != method:
        return gateway_error(405, f"Method {request.method} is not allowed here; use {method}.")
    try:
        return handler(request, state, config)
    except BadRequestBody as exc:
        return validation_error([str(exc)])


# --- helpers -----------------------------------------------------------------------------------
def _utc_field(body: dict, name: str, errors: list[str], *, required: bool = True) -> datetime | None:
    value = body.get(name)
    if value is None:
        if required:
            errors.append(f"{name} is required.")
        return None
    try:
        return parse_utc(value)
    except (TypeError, ValueError):
        errors.append(f"{name} must be a UTC date-time like 2025-01-01T00:00:00Z.")
        return None


def _enum(value: str, allowed: tuple[str, ...]) -> str | None:
    """The canonical spelling of an enum value, matched case-insensitively; None if unknown."""
    for option in allowed:
        if option.lower() == value.strip().lower():
            return option
    return None


def _enum_list(raw: str | None, allowed: tuple[str, ...], name: str, errors: list[str]) -> list[str] | None:
    if raw is None:
        return None
    values = []
    for part in raw.split(","):
        if not part.strip():
            continue
        option = _enum(part, allowed)
        if option is None:
            errors.append(f"{name}: '{part.strip()}' is not one of {', '.join(allowed)}.")
        else:
            values.append(option)
    return values


def _reference_ok(value) -> bool:
    return isinstance(value, str) and REFERENCE_PATTERN.fullmatch(value) is not None


# --- mandate flow --------------------------------------------------------------------------------
def short_url_identifier(request: Request, state: SimulatorState, config: SimulatorConfig) -> Response:
    """POST /api/shortUrlIdentifier: open a mandate-request session for the homeowner."""
    body = request.json()
    now = state.now()
    errors: list[str] = []
    if body.get("dataAccessContractNumber") != config.contract_number:
        errors.append("dataAccessContractNumber is unknown for this energy service provider.")
    if not _reference_ok(body.get("referenceNumber")):
        errors.append("referenceNumber must be 1 to 32 letters or digits.")
    if body.get("flow") not in ("B2C", "B2B"):
        errors.append("flow must be B2C or B2B.")
    number = body.get("numberOfEans")
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= 100:
        errors.append("numberOfEans must be an integer from 1 to 100.")
    if "sso" in body and not isinstance(body["sso"], bool):
        errors.append("sso must be true or false.")
    services = body.get("dataServices")
    cleaned_services = []
    if not isinstance(services, list) or not services:
        errors.append("dataServices must be a non-empty list.")
    else:
        seen = set()
        for index, service in enumerate(services):
            if not isinstance(service, dict):
                errors.append(f"dataServices[{index}] must be an object.")
                continue
            service_type = service.get("dataServiceType")
            if service_type not in DATA_SERVICE_TYPES:
                errors.append(
                    f"dataServices[{index}].dataServiceType must be one of {', '.join(DATA_SERVICE_TYPES)}."
                )
            elif service_type in seen:
                errors.append(f"dataServices[{index}].dataServiceType {service_type} is listed twice.")
            seen.add(service_type)
            period_from = _utc_field(service, "dataPeriodFrom", errors)
            period_to = _utc_field(service, "dataPeriodTo", errors)
            if period_from and period_to:
                if period_from >= period_to:
                    errors.append(f"dataServices[{index}]: dataPeriodFrom must be before dataPeriodTo.")
                if period_to <= now:
                    errors.append(f"dataServices[{index}]: dataPeriodTo must be in the future.")
                if period_to > now + MAX_MANDATE_SPAN:
                    errors.append(f"dataServices[{index}]: dataPeriodTo may be at most 3 years ahead.")
                cleaned_services.append(
                    {
                        "dataServiceType": service_type,
                        "dataPeriodFrom": iso_z(period_from),
                        "dataPeriodTo": iso_z(period_to),
                    }
                )
    root = config.site_url.rstrip("/") + "/"
    for name in ("returnUrlSuccess", "returnUrlFailed"):
        value = body.get(name)
        if not isinstance(value, str) or not value.startswith(root):
            errors.append(f"{name} must start with the registered root {root}.")
    if errors:
        return validation_error(errors)
    session = state.session_create(
        {
            "referenceNumber": body["referenceNumber"],
            "flow": body["flow"],
            "numberOfEans": number,
            "sso": body.get("sso", True),
            "dataServices": cleaned_services,
            "returnUrlSuccess": body["returnUrlSuccess"],
            "returnUrlFailed": body["returnUrlFailed"],
        }
    )
    return success(
        {
            "status": "success",
            "shortUrlIdentifier": session["shortUrlIdentifier"],
            "validTo": session["validTo"],
        },
        now,
    )


def mandate_list(request: Request, state: SimulatorState, config: SimulatorConfig) -> Response:
    """GET /api/mandate with the contract's filters; an empty list is not an error."""
    errors: list[str] = []
    reference = request.param("referenceNumber")
    ean = request.param("ean")
    if reference is not None and not _reference_ok(reference):
        errors.append("referenceNumber must be 1 to 32 letters or digits.")
    if ean is not None and not ean_accepted(ean, config.allow_test_eans):
        errors.append(f"ean '{ean}' is not a valid EAN.")
    service_types = _enum_list(
        request.param("dataServiceTypes"), DATA_SERVICE_TYPES, "dataServiceTypes", errors
    )
    energy_types = _enum_list(request.param("energyType"), ENERGY_TYPES, "energyType", errors)
    statuses = _enum_list(request.param("status"), MANDATE_STATUSES, "status", errors)
    renewals = _enum_list(request.param("renewalStatus"), RENEWAL_STATUSES, "renewalStatus", errors)
    bounds = {}
    for name in ("lastUpdatedFrom", "lastUpdatedTo"):
        value = request.param(name)
        if value is not None:
            bounds[name] = _utc_field({name: value}, name, errors)
    if errors:
        return validation_error(errors)
    mandates = []
    for mandate in state.mandates_view():
        last_updated = parse_utc(mandate["lastUpdated"])
        if (
            (reference is not None and mandate["referenceNumber"] != reference)
            or (ean is not None and mandate["ean"] != ean)
            or (service_types and mandate["dataServiceType"] not in service_types)
            or (energy_types and mandate["energyType"] not in energy_types)
            or (statuses and mandate["status"] not in statuses)
            or (renewals and mandate["renewalStatus"] not in renewals)
            or (bounds.get("lastUpdatedFrom") and last_updated < bounds["lastUpdatedFrom"])
            or (bounds.get("lastUpdatedTo") and last_updated >= bounds["lastUpdatedTo"])
        ):
            continue
        mandates.append(mandate)
    return success({"mandates": mandates}, state.now())


def mandate_mock(request: Request, state: SimulatorState, config: SimulatorConfig) -> Response:
    """POST /api/mandate/mock: create or replace a mandate without a person (sandbox style)."""
    body = request.json()
    errors: list[str] = []
    if not _reference_ok(body.get("referenceNumber")):
        errors.append("referenceNumber must be 1 to 32 letters or digits.")
    ean = body.get("ean")
    if not ean_accepted(ean, config.allow_test_eans):
        errors.append(f"ean '{ean}' is not a valid EAN.")
    service_type = body.get("dataServiceType", "VH_kwartier_uur")
    if service_type not in DATA_SERVICE_TYPES:
        errors.append(f"dataServiceType must be one of {', '.join(DATA_SERVICE_TYPES)}.")
    status = body.get("status", "Approved")
    if status not in MANDATE_STATUSES:
        errors.append(f"status must be one of {', '.join(MANDATE_STATUSES)}.")
    renewal = body.get("renewalStatus")
    if renewal is not None and renewal not in RENEWAL_STATUSES:
        errors.append(f"renewalStatus must be null or one of {', '.join(RENEWAL_STATUSES)}.")
    period_from = _utc_field(body, "dataPeriodFrom", errors)
    period_to = _utc_field(body, "dataPeriodTo", errors)
    if period_from and period_to and period_from >= period_to:
        errors.append("dataPeriodFrom must be before dataPeriodTo.")
    expiration = _utc_field(body, "mandateExpirationDate", errors, required=False) or period_to
    energy_type = body.get("energyType")
    if energy_type is not None and energy_type not in ENERGY_TYPES:
        errors.append("energyType must be E or G.")
    if errors:
        return validation_error(errors)
    mandate = state.mandate_save(
        {
            "referenceNumber": body["referenceNumber"],
            "ean": ean,
            "energyType": energy_type or state.profile(ean).energy_type,
            "dataServiceType": service_type,
            "status": status,
            "dataPeriodFrom": iso_z(period_from),
            "dataPeriodTo": iso_z(period_to),
            "mandateExpirationDate": iso_z(expiration) if expiration else None,
            "renewalStatus": renewal,
        }
    )
    return success({"status": "success", "mandate": mandate}, state.now())


# --- energy --------------------------------------------------------------------------------------
def _value(wh: int, state_: str) -> dict:
    return {"value": wh / 1000, "unit": "kWh", "validationState": state_}


def _quarter_entry(quarter, phase: str) -> dict:
    served = served_values(quarter, phase)
    if served is None:
        return {"start": quarter.start_iso, "end": quarter.end_iso, "measurements": []}
    offtake, offtake_state, injection, injection_state = served
    register = quarter.register
    return {
        "start": quarter.start_iso,
        "end": quarter.end_iso,
        "measurements": [
            {
                "offtake": {register: _value(offtake, offtake_state)},
                "injection": {register: _value(injection, injection_state)},
            }
        ],
    }


def _daily_entry(day, quarters, phase: str) -> dict:
    start, end = local_day_bounds(day)
    offtake = injection = 0
    worst = "VAL" if phase == VALIDATED else "READ"
    for quarter in quarters:
        served = served_values(quarter, phase)
        if served is None:
            worst = "EST"
            continue
        offtake += served[0]
        injection += served[2]
        if "EST" in (served[1], served[3]):
            worst = "EST"
    return {
        "start": iso_z(start),
        "end": iso_z(end),
        "measurements": [
            {"offtake": {"total": _value(offtake, worst)}, "injection": {"total": _value(injection, worst)}}
        ],
    }


def energy(request: Request, state: SimulatorState, config: SimulatorConfig) -> Response:
    """GET /api/mandate/energy: quarter-hourly and daily energy of one EAN under one mandate.

    ``periodType=readTime`` selects by the time the energy was measured; the window must lie
    inside the mandate's data period. ``insertTime`` selects whole days by the time their values
    were published or last changed (06:00 local on D+1; 00:00 local on D+6 when EST becomes VAL),
    limited to the mandate's data period.
    """
    errors: list[str] = []
    ean = request.param("ean")
    if ean is None:
        errors.append("ean is required.")
    elif not ean_accepted(ean, config.allow_test_eans):
        errors.append(f"ean '{ean}' is not a valid EAN.")
    raw_period_type = request.param("periodType")
    period_type = PERIOD_TYPES.get((raw_period_type or "").lower())
    if period_type is None:
        errors.append("periodType is required and must be readTime or insertTime.")
    reference = request.param("referenceNumber")
    if not _reference_ok(reference):
        errors.append("referenceNumber is required: 1 to 32 letters or digits.")
    granularity = _enum_list(request.param("granularity"), GRANULARITIES, "granularity", errors)
    raw_service_type = request.param("DataServiceType")
    service_type = None
    if raw_service_type is not None:
        service_type = _enum(raw_service_type, DATA_SERVICE_TYPES)
        if service_type is None:
            errors.append(f"DataServiceType must be one of {', '.join(DATA_SERVICE_TYPES)}.")
    if granularity is None and raw_service_type is None:
        errors.append("granularity (daily,hourly_quarterhourly) or DataServiceType is required.")
    elif granularity is not None and not granularity and raw_service_type is None:
        errors.append("granularity must name at least one of daily, hourly_quarterhourly.")
    window_from = _utc_field({"from": request.param("from")}, "from", errors)
    window_to = _utc_field({"to": request.param("to")}, "to", errors)
    if window_from and window_to:
        if window_from >= window_to:
            errors.append("from must be before to.")
        elif window_to - window_from > MAX_WINDOW:
            errors.append("The period between from and to may be at most 184 days.")
    if errors:
        return validation_error(errors)

    if granularity:
        wants_quarter = "hourly_quarterhourly" in granularity
        wants_daily = "daily" in granularity
    else:
        wants_quarter = service_type == "VH_kwartier_uur"
        wants_daily = True

    mandates = [m for m in state.mandates_view() if m["ean"] == ean]
    if not mandates:
        return api_error(
            404, "NotFound", "EAN_NOT_FOUND", f"No mandate for EAN {ean} with this service provider."
        )
    needed = ("VH_kwartier_uur",) if wants_quarter else DATA_SERVICE_TYPES
    active = [
        m
        for m in mandates
        if m["referenceNumber"] == reference and m["status"] == "Approved" and m["dataServiceType"] in needed
    ]
    if not active:
        return api_error(
            403,
            "Forbidden",
            "MANDATE_NOT_ACTIVE",
            f"No approved mandate for reference {reference} and EAN {ean}.",
        )
    if period_type == "readTime":
        covering = [
            m
            for m in active
            if parse_utc(m["dataPeriodFrom"]) <= window_from
            and (m["dataPeriodTo"] is None or window_to <= parse_utc(m["dataPeriodTo"]))
        ]
        if not covering:
            return api_error(
                403,
                "Forbidden",
                "MANDATE_NOT_ACTIVE",
                "The requested period lies outside the data period of the mandate.",
            )
        mandate = covering[0]
    else:
        mandate = active[0]
    period_from = parse_utc(mandate["dataPeriodFrom"])
    period_to = (
        parse_utc(mandate["dataPeriodTo"]) if mandate["dataPeriodTo"] else datetime.max.replace(tzinfo=UTC)
    )

    now = state.now()
    profile = state.profile(ean)
    quarter_entries: list[dict] = []
    daily_entries: list[dict] = []
    if profile.energy_type == "E":
        if period_type == "readTime":
            days = _days_between(
                local_date_of(window_from), local_date_of(window_to - timedelta(microseconds=1))
            )
        else:
            days = [
                day
                for day in _days_between(
                    local_date_of(window_from) - timedelta(days=7),
                    local_date_of(window_to) + timedelta(days=1),
                )
                if (changed := last_change_time(day, now)) is not None and window_from <= changed < window_to
            ]
        for day in days:
            phase = day_phase(day, now)
            if phase == UNPUBLISHED:
                continue
            quarters = generate_day(profile, day)
            if not quarters:
                continue
            day_start, day_end = local_day_bounds(day)
            if period_type == "readTime":
                low, high = max(window_from, period_from), min(window_to, period_to)
            else:
                low, high = period_from, period_to
            if wants_quarter:
                quarter_entries.extend(_quarter_entry(q, phase) for q in quarters if low <= q.start < high)
            if wants_daily and low <= day_start and day_end <= high:
                daily_entries.append(_daily_entry(day, quarters, phase))

    meter = {"seqNumber": "1", "meterID": profile.meter_id}
    if wants_quarter:
        meter["quarterHourlyEnergy"] = quarter_entries
    if wants_daily:
        meter["dailyEnergy"] = daily_entries
    headpoint = {
        "$type": "metering-on-meter",
        "ean": ean,
        "energyType": profile.energy_type,
        "physicalMeters": [meter],
    }
    return success({"headpoint": headpoint}, now)


def _days_between(first, last) -> list:
    days = []
    day = first
    while day <= last:
        days.append(day)
        day += timedelta(days=1)
    return days
