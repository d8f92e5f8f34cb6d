#!/usr/bin/env bash
# Runs the tests marked date_sensitive with the project clock moved to each of the days below
# (10:00 Belgian time; ILUSMART_TODAY, see ilusmart/clock.py and ilusmart/settings_test.py):
# New Year, the last Sundays of March and October (DST), 26 and 31 December, 29 February.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/services.sh
days=(2027-01-01 2027-03-28 2026-10-25 2026-12-26 2026-12-31 2028-02-29)
for day in "${days[@]}"; do
  echo "== date-sensitive tests with today = $day"
  # The year sweep (test_date_arithmetic.py) replays every day itself: once is enough.
  ILUSMART_TODAY="$day" .venv/bin/pytest -m date_sensitive -q -p no:cacheprovider \
    --deselect tests/meters/test_date_arithmetic.py "$@"
done
