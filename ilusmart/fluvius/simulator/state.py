"""The simulator's state: meters, mandate sessions, mandates, clock, faults, tokens, request log.

Everything lives in memory behind one lock. With a ``path``, the durable part (meters, sessions,
mandates, clock) is written to a JSON file after every change (atomically, via a temporary file)
and read back at start, so a restarted simulator remembers it. Tokens, queued faults, the rate
limiter and the request log are deliberately not persisted.
"""

import json
import os
import secrets
import string
import threading
import time
from collections import deque
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from ilusmart import clock

from .data import MeterProfile, default_profile, iso_z

MANDATE_STATUSES = ("Requested", "Approved", "Rejected", "Finished")
RENEWAL_STATUSES = ("ToBeRenewed", "RenewalRequested", "Expired")
DATA_SERVICE_TYPES = ("VH_kwartier_uur", "VH_dag")
ENERGY_TYPES = ("E", "G")
RENEWAL_NOTICE_MONTHS = 3
SESSION_VALIDITY = timedelta(hours=24)
RATE_WINDOW_SECONDS = 60.0


def parse_utc(value: str) -> datetime:
    """Parse an ISO 8601 instant that must be UTC (``Z`` or ``+00:00``); ValueError otherwise."""
    if not isinstance(value, str) or "T" not in value:
        raise ValueError("not an ISO 8601 date-time")
    moment = datetime.fromisoformat(value.replace("z", "Z"))
    if moment.tzinfo is None or moment.utcoffset() != timedelta(0):
        raise ValueError("not in UTC")
    return moment.astimezone(UTC)


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` calendar months earlier (clamped to the month's end)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for day in range(moment.day, 27, -1):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return moment.replace(year=year, month=month, day=min(moment.day, 28))


def mandate_key(reference: str, ean: str, data_service_type: str) -> str:
    """The natural key of a mandate: (referenceNumber, ean, dataServiceType)."""
    return f"{reference}|{ean}|{data_service_type}"


def mandate_view(mandate: dict, now: datetime) -> dict:
    """A stored mandate as Fluvius reports it at ``now``.

    An Approved mandate becomes Finished (renewalStatus Expired) at its expiration date and shows
    renewalStatus ToBeRenewed from three months before it; ``lastUpdated`` moves with those
    transitions. An explicit renewalStatus (set through the mock endpoint) wins.
    """
    status = mandate["status"]
    renewal = mandate.get("renewalStatus")
    last_updated = parse_utc(mandate["lastUpdated"])
    expiration = mandate.get("mandateExpirationDate")
    if status == "Approved" and expiration:
        expires_at = parse_utc(expiration)
        notice_at = months_before(expires_at, RENEWAL_NOTICE_MONTHS)
        if now >= expires_at:
            status = "Finished"
            renewal = renewal if renewal and renewal != "ToBeRenewed" else "Expired"
            last_updated = max(last_updated, expires_at)
        elif now >= notice_at and renewal is None:
            renewal = "ToBeRenewed"
            last_updated = max(last_updated, notice_at)
    return {
        "referenceNumber": mandate["referenceNumber"],
        "status": status,
        "ean": mandate["ean"],
        "energyType": mandate["energyType"],
        "dataPeriodFrom": mandate.get("dataPeriodFrom"),
        "dataPeriodTo": mandate.get("dataPeriodTo"),
        "dataServiceType": mandate["dataServiceType"],
        "mandateExpirationDate": expiration,
        "renewalStatus": renewal,
        "lastUpdated": iso_z(last_updated),
    }


class SimulatorState:
    """All simulator state, safe to use from several request threads."""

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path) if path else None
        self.lock = threading.RLock()
        self._clear()
        if self.path and self.path.exists():
            self._load()

    # --- lifecycle ----------------------------------------------------------------------------
    def _clear(self) -> None:
        self.meters: dict[str, dict] = {}
        self.sessions: dict[str, dict] = {}
        self.mandates: dict[str, dict] = {}
        self.frozen_now: datetime | None = None
        self.faults: list[dict] = []
        self.requests: list[dict] = []
        self.tokens: dict[str, float] = {}
        self.rate_windows: dict[str, deque] = {}

    def _load(self) -> None:
        data = json.loads(self.path.read_text(encoding="utf-8"))
        self.meters = data.get("meters", {})
        self.sessions = data.get("sessions", {})
        self.mandates = data.get("mandates", {})
        clock = data.get("clock")
        self.frozen_now = parse_utc(clock) if clock else None

    def save(self) -> None:
        """Write the durable state to the JSON file (no-op without a path)."""
        if not self.path:
            return
        with self.lock:
            payload = {
                "meters": self.meters,
                "sessions": self.sessions,
                "mandates": self.mandates,
                "clock": iso_z(self.frozen_now) if self.frozen_now else None,
            }
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_name(self.path.name + ".tmp")
            temporary.write_text(json.dumps(payload, indent=1, sort_keys=True), encoding="utf-8")
            os.replace(temporary, self.path)

    def reset(self) -> None:
        """Forget everything (meters, sessions, mandates, clock, faults, tokens, log)."""
        with self.lock:
            self._clear()
            self.save()

    # --- clock --------------------------------------------------------------------------------
    def now(self) -> datetime:
        """The simulator clock: the frozen instant, or the project clock (ilusmart.clock) in UTC."""
        frozen = self.frozen_now
        return frozen if frozen is not None else clock.now().replace(microsecond=0)

    def set_clock(self, moment: datetime | None) -> None:
        """Freeze the clock at ``moment``, or let it run with the real time (None)."""
        with self.lock:
            self.frozen_now = moment
            self.save()

    # --- meters -------------------------------------------------------------------------------
    def profile(self, ean: str) -> MeterProfile:
        """The meter profile of an EAN: the registered one, or one derived from the EAN."""
        meter = self.meters.get(ean)
        if meter is None:
            return default_profile(ean)
        failure = meter.get("pvFailure") or {}
        return MeterProfile(
            ean=ean,
            energy_type=meter["energyType"],
            has_pv=meter["hasPv"],
            kwp=meter["kWp"],
            meter_id=meter["meterID"],
            install_date=date.fromisoformat(meter["installDate"]),
            pv_failure_from=date.fromisoformat(failure["from"]) if failure.get("from") else None,
            pv_failure_to=date.fromisoformat(failure["to"]) if failure.get("to") else None,
        )

    def meters_list(self) -> list[dict]:
        """Every registered meter, in registration order."""
        with self.lock:
            return [dict(meter) for meter in self.meters.values()]

    def meter_save(self, meter: dict) -> bool:
        """Register or replace a meter (already validated); True when it is new."""
        with self.lock:
            created = meter["ean"] not in self.meters
            self.meters[meter["ean"]] = meter
            self.save()
            return created

    # --- sessions and mandates ----------------------------------------------------------------
    def session_create(self, request_body: dict) -> dict:
        """Store a mandate-request session under a fresh short URL identifier."""
        alphabet = string.ascii_letters + string.digits
        with self.lock:
            while True:
                short = "".join(secrets.choice(alphabet) for _ in range(6))
                if short not in self.sessions:
                    break
            now = self.now()
            session = {
                "shortUrlIdentifier": short,
                "referenceNumber": request_body["referenceNumber"],
                "flow": request_body["flow"],
                "numberOfEans": request_body["numberOfEans"],
                "sso": request_body["sso"],
                "dataServices": request_body["dataServices"],
                "returnUrlSuccess": request_body["returnUrlSuccess"],
                "returnUrlFailed": request_body["returnUrlFailed"],
                "createdAt": iso_z(now),
                "validTo": iso_z(now + SESSION_VALIDITY),
                "decisions": [],
            }
            self.sessions[short] = session
            self.save()
            return session

    def session_get(self, short: str) -> dict | None:
        """The session with this short URL identifier, or None."""
        return self.sessions.get(short)

    def session_decide(self, short: str, eans: list[str], decision: str) -> list[dict]:
        """Apply the homeowner's decision for ``eans``; returns the mandates as now reported.

        ``approve`` → Approved with the session's data periods, expiring at dataPeriodTo;
        ``reject`` → Rejected; ``pending_holder`` → Requested (the contract holder must still act).
        """
        status = {"approve": "Approved", "reject": "Rejected", "pending_holder": "Requested"}[decision]
        with self.lock:
            session = self.sessions[short]
            now = self.now()
            changed = []
            for ean in eans:
                energy_type = self.profile(ean).energy_type
                for service in session["dataServices"]:
                    key = mandate_key(session["referenceNumber"], ean, service["dataServiceType"])
                    mandate = {
                        "referenceNumber": session["referenceNumber"],
                        "ean": ean,
                        "energyType": energy_type,
                        "dataServiceType": service["dataServiceType"],
                        "status": status,
                        "dataPeriodFrom": service["dataPeriodFrom"],
                        "dataPeriodTo": service["dataPeriodTo"],
                        "mandateExpirationDate": service["dataPeriodTo"] if status == "Approved" else None,
                        "renewalStatus": None,
                        "lastUpdated": iso_z(now),
                        "shortUrlIdentifier": short,
                    }
                    self.mandates[key] = mandate
                    changed.append(mandate_view(mandate, now))
            session["decisions"].append({"at": iso_z(now), "decision": decision, "eans": list(eans)})
            self.save()
            return changed

    def mandate_save(self, mandate: dict) -> dict:
        """Create or replace a mandate directly (the mock endpoint); stamps lastUpdated."""
        with self.lock:
            mandate = dict(mandate, lastUpdated=iso_z(self.now()))
            key = mandate_key(mandate["referenceNumber"], mandate["ean"], mandate["dataServiceType"])
            self.mandates[key] = mandate
            self.save()
            return mandate_view(mandate, self.now())

    def mandates_view(self) -> list[dict]:
        """All mandates as reported at the simulator clock, oldest first."""
        now = self.now()
        with self.lock:
            return [mandate_view(m, now) for m in self.mandates.values()]

    def mandate_revoke(self, reference: str, ean: str) -> list[dict]:
        """The customer withdraws every mandate of (reference, EAN): status Finished."""
        with self.lock:
            now = self.now()
            revoked = []
            for mandate in self.mandates.values():
                if mandate["referenceNumber"] == reference and mandate["ean"] == ean:
                    mandate["status"] = "Finished"
                    mandate["lastUpdated"] = iso_z(now)
                    revoked.append(mandate_view(mandate, now))
            if revoked:
                self.save()
            return revoked

    # --- faults, tokens, rate limit, request log ----------------------------------------------
    def fault_add(self, fault: dict) -> None:
        """Queue a fault (path already normalised) behind those queued before."""
        with self.lock:
            self.faults.append(fault)

    def fault_take(self, normalised_path: str) -> dict | None:
        """Consume one fault queued for this path, oldest first; None if there is none."""
        with self.lock:
            for fault in self.faults:
                if fault["path"] == normalised_path and fault["remaining"] > 0:
                    fault["remaining"] -= 1
                    if fault["remaining"] == 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def token_issue(self, lifetime_seconds: int) -> str:
        """A new opaque access token valid for ``lifetime_seconds`` of real time."""
        token = secrets.token_urlsafe(32)
        with self.lock:
            self.tokens[token] = time.time() + lifetime_seconds
        return token

    def token_valid(self, token: str) -> bool:
        """True when the token was issued here and has not expired."""
        expires_at = self.tokens.get(token)
        return expires_at is not None and time.time() < expires_at

    def tokens_expire(self) -> int:
        """Expire every token at once (tests of the client's refresh); returns how many."""
        with self.lock:
            count = len(self.tokens)
            self.tokens.clear()
            return count

    def rate_check(self, key: str, limit_per_minute: int) -> int | None:
        """Count a request for ``key``; the Retry-After seconds when over the limit, else None."""
        if limit_per_minute <= 0:
            return None
        now = time.monotonic()
        with self.lock:
            window = self.rate_windows.setdefault(key, deque())
            while window and window[0] <= now - RATE_WINDOW_SECONDS:
                window.popleft()
            if len(window) >= limit_per_minute:
                return max(1, int(window[0] + RATE_WINDOW_SECONDS - now + 0.999))
            window.append(now)
            return None

    def request_log(self, entry: dict) -> None:
        """Remember one served API request (without headers)."""
        with self.lock:
            self.requests.append(entry)
