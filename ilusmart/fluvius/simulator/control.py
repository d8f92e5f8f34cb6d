"""The simulator's control endpoints (``/_sim/…``) and the stand-in Mijn Fluvius page.

Development and tests only. JSON in, JSON out, except the truth (text/csv) and the page (HTML).
"""

import html
from datetime import date

from .config import API_BASE, PORTAL_PATH, SimulatorConfig, ean_accepted
from .data import iso_z, truth_csv
from .state import SimulatorState, parse_utc
from .web import BadRequestBody, Request, Response, json_response, redirect_response, text_response

DECISIONS = ("approve", "reject", "pending_holder")
FAULT_STATUSES = (429, 500, 503, "timeout", "malformed")


def _error(status: int, message: str) -> Response:
    return json_response({"error": message}, status)


def normalise_api_path(path: str) -> str:
    """A path relative to the API base, lower-cased, with one leading and no trailing slash."""
    path = path.strip().lower()
    if path.startswith(API_BASE):
        path = path[len(API_BASE) :]
    return "/" + path.strip("/")


def route(
    request: Request, state: SimulatorState, config: SimulatorConfig, defaults: SimulatorConfig
) -> Response:
    """Dispatch a request under /_sim/ (fixed segments compared case-insensitively)."""
    segments = [s for s in request.path.split("/") if s][1:]  # drop "_sim"
    lowered = [s.lower() for s in segments]
    method = request.method
    try:
        match lowered:
            case [] if method == "GET":
                return json_response({"endpoints": ENDPOINTS})
            case ["reset"] if method == "POST":
                state.reset()
                config.site_url, config.rate_limit_per_minute = (
                    defaults.site_url,
                    defaults.rate_limit_per_minute,
                )
                return json_response({"status": "reset"})
            case ["config"] if method in ("GET", "POST"):
                return config_endpoint(request, config)
            case ["clock"] if method in ("GET", "POST"):
                return clock(request, state)
            case ["meters"] if method == "GET":
                return json_response({"meters": state.meters_list()})
            case ["meters"] if method == "POST":
                return meter_register(request, state, config)
            case ["sessions", _] if method == "GET":
                session = state.session_get(segments[1])
                return json_response(session) if session else _error(404, "unknown session")
            case ["sessions", _, "decide"] if method == "POST":
                return session_decide(request, state, config, segments[1])
            case ["mandates", _, _, "revoke"] if method == "POST":
                revoked = state.mandate_revoke(segments[1], segments[2])
                if not revoked:
                    return _error(404, "no mandate for this reference and EAN")
                return json_response({"mandates": revoked})
            case ["faults"] if method == "GET":
                return json_response({"faults": list(state.faults)})
            case ["faults"] if method == "POST":
                return fault_add(request, state)
            case ["requests"] if method == "GET":
                return json_response({"requests": list(state.requests)})
            case ["truth"] if method == "GET":
                return truth(request, state, config)
            case ["tokens", "expire"] if method == "POST":
                return json_response({"expired": state.tokens_expire()})
    except BadRequestBody as exc:
        return _error(400, str(exc))
    return _error(404, f"no control endpoint {method} {request.path}")


def config_endpoint(request: Request, config: SimulatorConfig) -> Response:
    """GET/POST /_sim/config: the allowed return-URL root and the rate limit (reset restores)."""
    if request.method == "POST":
        body = request.json()
        if "siteUrl" in body:
            if not isinstance(body["siteUrl"], str) or not body["siteUrl"].startswith(
                ("http://", "https://")
            ):
                return _error(400, "siteUrl must be an http(s) URL")
            config.site_url = body["siteUrl"].rstrip("/")
        if "rateLimitPerMinute" in body:
            limit = body["rateLimitPerMinute"]
            if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
                return _error(400, "rateLimitPerMinute must be an integer >= 0 (0 switches it off)")
            config.rate_limit_per_minute = limit
    return json_response({"siteUrl": config.site_url, "rateLimitPerMinute": config.rate_limit_per_minute})


def clock(request: Request, state: SimulatorState) -> Response:
    """GET/POST /_sim/clock: read, freeze (``{"now": "…Z"}``) or release (``{"now": null}``)."""
    if request.method == "POST":
        body = request.json()
        if "now" not in body:
            return _error(400, 'body must be {"now": "YYYY-MM-DDTHH:MM:SSZ"} or {"now": null}')
        if body["now"] is None:
            state.set_clock(None)
        else:
            try:
                state.set_clock(parse_utc(body["now"]).replace(microsecond=0))
            except (TypeError, ValueError):
                return _error(400, "now must be a UTC date-time like 2025-06-15T08:00:00Z, or null")
    return json_response({"now": iso_z(state.now()), "frozen": state.frozen_now is not None})


def meter_register(request: Request, state: SimulatorState, config: SimulatorConfig) -> Response:
    """POST /_sim/meters: register a meter, or update the fields given for a known one."""
    body = request.json()
    ean = body.get("ean")
    if not ean_accepted(ean, config.allow_test_eans):
        return _error(400, f"ean {ean!r} is not a valid EAN (18 digits with a GS1 check digit)")
    current = state.meters.get(ean)
    if current is None:
        profile = state.profile(ean)
        current = {
            "ean": ean,
            "energyType": "E",
            "hasPv": True,
            "kWp": profile.kwp,
            "meterID": profile.meter_id,
            "installDate": profile.install_date.isoformat(),
            "pvFailure": None,
        }
    meter = dict(current)
    errors = []
    if "energyType" in body:
        if body["energyType"] not in ("E", "G"):
            errors.append("energyType must be E or G")
        meter["energyType"] = body["energyType"]
    if "hasPv" in body:
        if not isinstance(body["hasPv"], bool):
            errors.append("hasPv must be true or false")
        meter["hasPv"] = body["hasPv"]
    if "kWp" in body:
        kwp = body["kWp"]
        if isinstance(kwp, bool) or not isinstance(kwp, int | float) or not 0 < kwp <= 1000:
            errors.append("kWp must be a number above 0")
        meter["kWp"] = kwp
    if "meterID" in body:
        if not isinstance(body["meterID"], str) or not body["meterID"]:
            errors.append("meterID must be a non-empty string")
        meter["meterID"] = body["meterID"]
    if "installDate" in body:
        try:
            meter["installDate"] = date.fromisoformat(body["installDate"]).isoformat()
        except (TypeError, ValueError):
            errors.append("installDate must be YYYY-MM-DD")
    if "pvFailure" in body:
        failure = body["pvFailure"]
        if failure is None:
            meter["pvFailure"] = None
        else:
            try:
                start = date.fromisoformat(failure["from"])
                end = date.fromisoformat(failure["to"]) if failure.get("to") else None
                if end is not None and end <= start:
                    raise ValueError
                meter["pvFailure"] = {"from": start.isoformat(), "to": end.isoformat() if end else None}
            except (TypeError, KeyError, ValueError):
                errors.append(
                    "pvFailure must be null or {from: YYYY-MM-DD, to: YYYY-MM-DD (exclusive, after from)}"
                )
    if errors:
        return json_response({"error": "; ".join(errors), "errors": errors}, 400)
    created = state.meter_save(meter)
    return json_response(meter, 201 if created else 200)


def _session_open(state: SimulatorState, session: dict) -> bool:
    """A session can be used until validTo; once decided, its holder may still act later."""
    return bool(session["decisions"]) or state.now() < parse_utc(session["validTo"])


def _check_eans(eans: list[str], decision: str, session: dict, config: SimulatorConfig) -> str | None:
    if decision in ("approve", "pending_holder") and not eans:
        return "pick at least one EAN"
    if len(eans) > session["numberOfEans"]:
        return f"at most {session['numberOfEans']} EAN(s) may be picked for this request"
    bad = [ean for ean in eans if not ean_accepted(ean, config.allow_test_eans)]
    if bad:
        return f"not a valid EAN: {', '.join(bad)}"
    return None


def session_decide(request: Request, state: SimulatorState, config: SimulatorConfig, short: str) -> Response:
    """POST /_sim/sessions/<short>/decide ``{"eans": […], "decision": …}``: takes effect at once."""
    session = state.session_get(short)
    if session is None:
        return _error(404, "unknown session")
    if not _session_open(state, session):
        return _error(410, "this session expired (validTo has passed)")
    body = request.json()
    eans = body.get("eans", [])
    decision = body.get("decision")
    if decision not in DECISIONS:
        return _error(400, f"decision must be one of {', '.join(DECISIONS)}")
    if not isinstance(eans, list) or not all(isinstance(e, str) for e in eans):
        return _error(400, "eans must be a list of strings")
    eans = list(dict.fromkeys(eans))
    problem = _check_eans(eans, decision, session, config)
    if problem:
        return _error(400, problem)
    mandates = state.session_decide(short, eans, decision)
    redirect = session["returnUrlFailed"] if decision == "reject" else session["returnUrlSuccess"]
    return json_response({"decision": decision, "redirect": redirect, "mandates": mandates})


def fault_add(request: Request, state: SimulatorState) -> Response:
    """POST /_sim/faults: queue ``count`` faults for the next requests on ``path``."""
    body = request.json()
    path = body.get("path")
    status = body.get("status")
    count = body.get("count", 1)
    retry_after = body.get("retryAfter", 1)
    seconds = body.get("seconds", 35)
    errors = []
    if not isinstance(path, str) or not path.strip():
        errors.append("path is required (relative to the API base, e.g. /api/mandate/energy)")
    if status not in FAULT_STATUSES or isinstance(status, bool):
        errors.append("status must be 429, 500, 503, 'timeout' or 'malformed'")
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        errors.append("count must be an integer >= 1")
    if isinstance(retry_after, bool) or not isinstance(retry_after, int) or retry_after < 0:
        errors.append("retryAfter must be an integer >= 0")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        errors.append("seconds must be a number >= 0")
    if errors:
        return json_response({"error": "; ".join(errors), "errors": errors}, 400)
    fault = {
        "path": normalise_api_path(path),
        "status": status,
        "remaining": count,
        "retryAfter": retry_after,
        "seconds": seconds,
    }
    state.fault_add(fault)
    return json_response({"queued": fault, "faults": state.faults}, 201)


def truth(request: Request, state: SimulatorState, config: SimulatorConfig) -> Response:
    """GET /_sim/truth?ean=&from=YYYY-MM-DD&to=YYYY-MM-DD: what the API serves now, as CSV."""
    ean = request.param("ean")
    if not ean_accepted(ean, config.allow_test_eans):
        return text_response(f"invalid ean {ean!r}\n", 400)
    try:
        date_from = date.fromisoformat(request.param("from") or "")
        date_to = date.fromisoformat(request.param("to") or "")
    except ValueError:
        return text_response("from and to must be local dates YYYY-MM-DD\n", 400)
    if date_from >= date_to or (date_to - date_from).days > 3700:
        return text_response("from must be before to (and at most about 10 years apart)\n", 400)
    profile = state.profile(ean)
    if profile.energy_type != "E":
        return text_response("the truth covers electricity meters only\n", 400)
    return text_response(
        truth_csv(profile, date_from, date_to, state.now()), content_type="text/csv; charset=utf-8"
    )


# --- the stand-in Mijn Fluvius page ------------------------------------------------------------
def portal_page(request: Request, state: SimulatorState, config: SimulatorConfig) -> Response:
    """GET/POST /verbruik/dienstverlener?id=<short>: pick EANs, approve or reject, be redirected."""
    short = request.param("id") or ""
    session = state.session_get(short)
    if session is None:
        return _page("Onbekende aanvraag", "<p>Deze link is ongeldig.</p>", 404)
    if not _session_open(state, session):
        return _page("Verlopen aanvraag", "<p>Deze link is verlopen.</p>", 410)
    if request.method == "GET":
        return _page("Toegang tot je verbruiksgegevens", _form(state, session), 200)
    if request.method != "POST":
        return _page("Niet toegelaten", "", 405)
    form = request.form()
    decision = (form.get("decision") or [""])[-1]
    eans = [e.strip() for e in form.get("ean", []) if e.strip()]
    eans += [e.strip() for e in form.get("ean_other", []) if e.strip()]
    eans = list(dict.fromkeys(eans))
    problem = None if decision in DECISIONS else "unknown decision"
    problem = problem or _check_eans(eans, decision, session, config)
    if problem:
        return _page("Toegang tot je verbruiksgegevens", _form(state, session, problem, eans), 400)
    state.session_decide(short, eans, decision)
    return redirect_response(
        session["returnUrlFailed"] if decision == "reject" else session["returnUrlSuccess"]
    )


def _form(state: SimulatorState, session: dict, problem: str | None = None, chosen: list[str] = ()) -> str:
    esc = html.escape
    services = "".join(
        f"<li>{esc(s['dataServiceType'])}: {esc(s['dataPeriodFrom'])} – {esc(s['dataPeriodTo'])}</li>"
        for s in session["dataServices"]
    )
    boxes = "".join(
        f'<li><label><input type="checkbox" name="ean" value="{esc(ean)}"'
        f"{' checked' if ean in chosen else ''}> {esc(ean)} ({esc(meter['energyType'])})</label></li>"
        for ean, meter in sorted((m["ean"], m) for m in state.meters_list())
    )
    action = f"{PORTAL_PATH}?id={esc(session['shortUrlIdentifier'])}"
    error = f'<p class="error" role="alert">{esc(problem)}</p>' if problem else ""
    return f"""{error}
<p>Referentie <strong>{esc(session["referenceNumber"])}</strong> vraagt toegang tot:</p>
<ul>{services}</ul>
<form method="post" action="{action}">
  <fieldset><legend>Kies je EAN(s) (maximaal {session["numberOfEans"]})</legend>
    <ul>{boxes or "<li>Geen gekende meters.</li>"}</ul>
    <label>Andere EAN: <input type="text" name="ean_other" inputmode="numeric" maxlength="18"></label>
  </fieldset>
  <button type="submit" name="decision" value="approve">Goedkeuren</button>
  <button type="submit" name="decision" value="reject">Weigeren</button>
  <button type="submit" name="decision" value="pending_holder">Titularis moet nog goedkeuren</button>
</form>"""


def _page(title: str, body: str, status: int) -> Response:
    # The empty icon spares the browser a request for /favicon.ico, a 404 in its console.
    document = f"""<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>{html.escape(title)} – Mijn Fluvius (simulator)</title>
<link rel="icon" href="data:,"></head>
<body><h1>{html.escape(title)}</h1>
<p><em>Fluvius-simulator: dit is geen echte Mijn Fluvius.</em></p>
{body}
</body></html>
"""
    return text_response(document, status, content_type="text/html; charset=utf-8")


ENDPOINTS = [
    "POST /_sim/reset",
    "GET|POST /_sim/config {siteUrl, rateLimitPerMinute}",
    "GET|POST /_sim/clock {now}",
    "GET|POST /_sim/meters",
    "GET /_sim/sessions/<short>",
    "POST /_sim/sessions/<short>/decide {eans, decision}",
    "POST /_sim/mandates/<reference>/<ean>/revoke",
    "GET|POST /_sim/faults {path, status, count, retryAfter, seconds}",
    "GET /_sim/requests",
    "GET /_sim/truth?ean=&from=&to=",
    "POST /_sim/tokens/expire",
    f"GET|POST {PORTAL_PATH}?id=<short>",
    f"API under {API_BASE}",
]
