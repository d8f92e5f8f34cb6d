"""Shared by the production-settings tests."""

# A complete production environment (DEBUG off): every required variable set, nothing local.
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "kq7-Vd9#zP2m!Lr8sT4wXy6bN0cFgH3jK5aQeR1uWiO9pZ_lM7nB2vC8xD4fG6hJ",
    "ALLOWED_HOSTS": "ilusmart.ilumen.be",
    "SITE_URL": "https://ilusmart.ilumen.be",
    "EMAIL_URL": "smtp+tls://ilusmart:secret@smtp.example.org:587",
    "FLUVIUS_BASE_URL": "https://apihub.fluvius.be/esco-live/v3",
    "FLUVIUS_TOKEN_URL": "https://login.microsoftonline.com/tenant/oauth2/v2.0/token",
    "FLUVIUS_PORTAL_URL": "https://mijn.fluvius.be/verbruik/dienstverlener?id=",
    "FLUVIUS_CLIENT_ID": "client-id",
    "FLUVIUS_CLIENT_SECRET": "client-secret",
    "FLUVIUS_SCOPE": "api://fluvius/.default",
    "FLUVIUS_SUBSCRIPTION_KEY": "subscription-key",
    "FLUVIUS_DATA_ACCESS_CONTRACT_NUMBER": "CONTRACT-1",
    "FLUVIUS_SIMULATOR_ENABLED": "false",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/ilusmart",
}
