"""Deploy checks of our own (``manage.py check --deploy``): production must not talk to the
Fluvius simulator, run it, or send people links over plain HTTP."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register

SIMULATOR_HOSTS = {"127.0.0.1", "localhost", "::1", "simulator", "0.0.0.0"}  # noqa: S104 (a name, not a bind)


@register(Tags.security, deploy=True)
def production_is_real(app_configs=None, **kwargs):
    errors = []
    if urlsplit(settings.SITE_URL).scheme != "https":
        errors.append(
            Error(
                f"SITE_URL {settings.SITE_URL!r} is not https: the links in emails and the Fluvius "
                "return URL would travel in clear text.",
                hint="Set SITE_URL=https://ilusmart.ilumen.be (the public address).",
                id="ilusmart.E001",
            )
        )
    base = urlsplit(settings.FLUVIUS_BASE_URL)
    if base.hostname in SIMULATOR_HOSTS or "esco-sim" in base.path:
        errors.append(
            Error(
                f"FLUVIUS_BASE_URL {settings.FLUVIUS_BASE_URL!r} points at the local Fluvius simulator.",
                hint="Point FLUVIUS_* at Fluvius's API (see .env.example).",
                id="ilusmart.E002",
            )
        )
    if settings.FLUVIUS_SIMULATOR_ENABLED:
        errors.append(
            Error(
                "FLUVIUS_SIMULATOR_ENABLED is on: the simulator and its /_sim/ endpoints are for "
                "development and tests only.",
                hint="Set FLUVIUS_SIMULATOR_ENABLED=false.",
                id="ilusmart.E003",
            )
        )
    return errors
