#!/usr/bin/env bash
# Runs the whole test suite against the real PostgreSQL and Redis (started if needed).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/services.sh
exec .venv/bin/pytest "$@"
