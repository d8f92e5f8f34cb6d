#!/usr/bin/env bash
# `manage.py check --deploy` with production-like settings: must report no issues. Production has
# no defaults for secrets, the mailer or Fluvius (ilusmart/settings.py), so each is given here.
set -euo pipefail
cd "$(dirname "$0")/.."
env -u FLUVIUS_SIMULATOR_URL \
DEBUG=false \
SECRET_KEY="ci-$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')" \
ALLOWED_HOSTS=ilusmart.ilumen.be \
EMAIL_URL="smtp+tls://ilusmart:secret@smtp.example.org:587" \
SITE_URL=https://ilusmart.ilumen.be \
FLUVIUS_BASE_URL=https://apihub.fluvius.be/esco-live/v3 \
FLUVIUS_TOKEN_URL=https://login.microsoftonline.com/fluvius/oauth2/v2.0/token \
FLUVIUS_PORTAL_URL="https://mijn.fluvius.be/verbruik/dienstverlener?id=" \
FLUVIUS_CLIENT_ID=ci-client \
FLUVIUS_CLIENT_SECRET=ci-secret \
FLUVIUS_SUBSCRIPTION_KEY=ci-subscription \
FLUVIUS_DATA_ACCESS_CONTRACT_NUMBER=CI-0001 \
FLUVIUS_SIMULATOR_ENABLED=false \
  .venv/bin/python manage.py check --deploy --fail-level WARNING
