#!/usr/bin/env bash
# `manage.py check --deploy` with production-like settings: must report no issues.
set -euo pipefail
cd "$(dirname "$0")/.."
DEBUG=false \
SECRET_KEY="ci-$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')" \
ALLOWED_HOSTS=ilusmart.ilumen.be \
EMAIL_URL="smtp+tls://ilusmart:secret@smtp.example.org:587" \
SITE_URL=https://ilusmart.ilumen.be \
FLUVIUS_SIMULATOR_ENABLED=false \
  .venv/bin/python manage.py check --deploy --fail-level WARNING
