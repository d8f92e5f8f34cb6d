"""Talk to a running simulator's /_sim/ control endpoints (demo seeding, tests). Dev-only."""

from datetime import date

import requests


class SimulatorRemote:
    """HTTP calls to the simulator at `url` (its root, e.g. http://127.0.0.1:8099)."""

    def __init__(self, url: str, *, timeout: float = 30):
        self.url = url.rstrip("/")
        self.timeout = timeout

    def _post(self, path: str, body: dict) -> dict:
        response = requests.post(self.url + path, json=body, timeout=self.timeout)
        response.raise_for_status()
        return response.json() if response.content else {}

    def meter_register(
        self,
        *,
        ean: str,
        install_date: date,
        kwp: float = 6.2,
        meter_id: str = "",
        pv_failure: tuple[date, date] | None = None,
    ) -> dict:
        """Register (or update) a meter with PV from `install_date` on."""
        body = {
            "ean": ean,
            "energyType": "E",
            "hasPv": kwp > 0,
            "kWp": kwp,
            "meterID": meter_id or f"1SAG{ean[-10:]}",
            "installDate": install_date.isoformat(),
        }
        if pv_failure:
            body["pvFailure"] = {"from": pv_failure[0].isoformat(), "to": pv_failure[1].isoformat()}
        return self._post("/_sim/meters", body)

    def decide(self, *, short_id: str, eans: list[str], decision: str = "approve") -> dict:
        """Approve, reject or leave pending (`pending_holder`) the mandate session `short_id`."""
        return self._post(f"/_sim/sessions/{short_id}/decide", {"eans": eans, "decision": decision})

    def revoke(self, *, reference: str, ean: str) -> dict:
        """The customer withdraws the mandate in Mijn Fluvius."""
        return self._post(f"/_sim/mandates/{reference}/{ean}/revoke", {})
