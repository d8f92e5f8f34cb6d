"""A local simulator of the Fluvius data-access API v3, for development, the demo and tests.

Run it with ``python manage.py fluvius_simulator --port 8099 [--host 127.0.0.1] [--state PATH]``.
It serves the API under ``/esco-sim/v3``, the token endpoint at ``/oauth2/v2.0/token``, a
stand-in Mijn Fluvius page at ``/verbruik/dienstverlener?id=<short>`` and control endpoints
under ``/_sim/`` (the contract: ../shared/domain/fluvius-api.md, "The simulator").

Control endpoints beyond the contract, for tests:

- ``POST /_sim/reset`` forgets everything: meters, sessions, mandates, clock, faults, tokens,
  rate-limit windows, request log, and /_sim/config overrides.
- ``GET|POST /_sim/config {"siteUrl", "rateLimitPerMinute"}`` changes the allowed return-URL
  root (e.g. a live test server) and the rate limit (0 = off) until the next reset.
- ``POST /_sim/tokens/expire`` expires every access token (tests of the client's refresh).
- ``GET /_sim/clock``, ``GET /_sim/meters``, ``GET /_sim/faults``, ``GET /_sim/sessions/<short>``.

``GET /_sim/requests`` lists token requests (``/oauth2/v2.0/token``) as well as API requests;
a request held by a ``timeout`` fault has ``"status": null``.

Modules: ``data`` (deterministic quarter-hours), ``state`` (memory + optional JSON file),
``api`` (the Fluvius endpoints), ``control`` (/_sim/ and the page), ``app`` (WSGI routing),
``web`` (request/response and the threaded server).
"""
