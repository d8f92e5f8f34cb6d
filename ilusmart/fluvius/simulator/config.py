"""What the simulator accepts: credentials, contract number, return-URL root, limits."""

import re
from dataclasses import dataclass

API_BASE = "/esco-sim/v3"
TOKEN_PATH = "/oauth2/v2.0/token"  # noqa: S105 - a URL path, not a secret
PORTAL_PATH = "/verbruik/dienstverlener"
REFERENCE_PATTERN = re.compile(r"[A-Za-z0-9]{1,32}")
_DIGITS_18 = re.compile(r"[0-9]{18}")


@dataclass
class SimulatorConfig:
    """The portal settings the simulator checks requests against (see the contract)."""

    client_id: str
    client_secret: str
    scope: str
    subscription_key: str
    contract_number: str
    site_url: str
    allow_test_eans: bool = False
    rate_limit_per_minute: int = 60
    token_lifetime_seconds: int = 3599

    @classmethod
    def from_settings(cls, settings, **overrides) -> "SimulatorConfig":
        """Build the configuration from Django settings (the portal's own FLUVIUS_* values)."""
        values = {
            "client_id": settings.FLUVIUS_CLIENT_ID,
            "client_secret": settings.FLUVIUS_CLIENT_SECRET,
            "scope": settings.FLUVIUS_SCOPE,
            "subscription_key": settings.FLUVIUS_SUBSCRIPTION_KEY,
            "contract_number": settings.FLUVIUS_DATA_ACCESS_CONTRACT_NUMBER,
            "site_url": settings.SITE_URL.rstrip("/"),
            "allow_test_eans": settings.FLUVIUS_ALLOW_TEST_EANS,
        }
        values.update({key: value for key, value in overrides.items() if value is not None})
        return cls(**values)


def _check_digit_ok(ean: str) -> bool:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(ean[:17])))
    return (10 - total % 10) % 10 == int(ean[17])


def ean_accepted(ean, allow_test_eans: bool) -> bool:
    """True for an 18-digit EAN with a GS1 check digit, or a sandbox EAN when those are allowed.

    Sandbox EANs (``54144…0000000…``, failing the check) follow ilusmart.fluvius.ean's rule.
    """
    if not isinstance(ean, str) or not _DIGITS_18.fullmatch(ean):
        return False
    if _check_digit_ok(ean):
        return True
    return allow_test_eans and ean.startswith("54144") and "0000000" in ean[5:]
