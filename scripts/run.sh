#!/usr/bin/env bash
# Runs the portal locally: PostgreSQL and Redis (started if needed), the Fluvius simulator,
# a Celery worker and beat, demo data, and the web server on http://127.0.0.1:8000/.
# Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DEBUG="${DEBUG:-true}"
mkdir -p .run
scripts/services.sh

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

$PY manage.py db_create
$PY manage.py migrate --noinput -v 0

echo "[run] Fluvius simulator on http://127.0.0.1:8099 (log: .run/simulator.log)"
$PY manage.py fluvius_simulator --port 8099 --state .run/fluvius-simulator.json >.run/simulator.log 2>&1 &
pids+=($!)
for i in $(seq 1 60); do grep -q "listening" .run/simulator.log 2>/dev/null && break; sleep 0.5; done
grep -q "listening" .run/simulator.log || { echo "ERROR: the Fluvius simulator did not start:" >&2; cat .run/simulator.log >&2; exit 1; }

echo "[run] Celery worker and beat (logs: .run/worker.log, .run/beat.log)"
queue="${CELERY_TASK_DEFAULT_QUEUE:-ilusmart}"
.venv/bin/celery -A ilusmart worker --loglevel INFO --concurrency 2 --queues "$queue,$queue-backfill" >.run/worker.log 2>&1 &
pids+=($!)
.venv/bin/celery -A ilusmart beat --loglevel INFO --schedule .run/celerybeat-schedule >.run/beat.log 2>&1 &
pids+=($!)

$PY manage.py seed_demo ${SEED_DEMO_ARGS:-} | tee .run/seed.log

echo "[run] web on http://127.0.0.1:8000/ (Ctrl-C stops everything)"
.venv/bin/gunicorn ilusmart.wsgi:application --bind 127.0.0.1:8000 --workers 3 --access-logfile .run/access.log &
pids+=($!)
for i in $(seq 1 40); do $PY -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)" 2>/dev/null && break; sleep 0.5; done
echo
echo "[run] iLusmart is running on http://127.0.0.1:8000/  ($(grep 'Demo homeowner' .run/seed.log))"
echo "[run] Fluvius simulator (stand-in Mijn Fluvius): http://127.0.0.1:8099  ·  Ctrl-C stops everything"
wait -n "${pids[@]}"
