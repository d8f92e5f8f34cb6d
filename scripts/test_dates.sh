#!/usr/bin/env bash
# Runs the tests marked date_sensitive with the project clock moved to each of the days below
# (10:00 Belgian time; ILUSMART_TODAY, see ilusmart/clock.py and ilusmart/settings_test.py):
# New Year, the last Sundays of March and October (DST), 26 and 31 December, 29 February.
# Three days at a time (DATE_RUNS_AT_ONCE to change it): each run claims its own Redis database
# and test database (ilusmart/testrun.py), so they do not disturb each other. A run waits on its
# browser, workers and database about half the time, so a third one fits on two CPUs.
# Fails if any day fails.
# Tests also marked `slow` (a killed worker, a three-year back-fill: robustness, not calendar
# arithmetic) run once, on the real date, in `make test`.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/services.sh
days=(2027-01-01 2027-03-28 2026-10-25 2026-12-26 2026-12-31 2028-02-29)
logs=$(mktemp -d)
run_day() {
  # The year sweep (test_date_arithmetic.py) replays every day itself: once is enough.
  ILUSMART_TODAY="$1" .venv/bin/pytest -m "date_sensitive and not slow" -q -p no:cacheprovider \
    --deselect tests/meters/test_date_arithmetic.py "${@:2}" >"$logs/$1.log" 2>&1
}
status=0
at_once=${DATE_RUNS_AT_ONCE:-3}
for ((i = 0; i < ${#days[@]}; i += at_once)); do
  pids=()
  for day in "${days[@]:i:at_once}"; do
    run_day "$day" "$@" &
    pids+=($!)
  done
  for j in "${!pids[@]}"; do
    day=${days[i + j]}
    if wait "${pids[j]}"; then result=ok; else result=FAILED; status=1; fi
    echo "== date-sensitive tests with today = $day: $result — $(tail -n 1 "$logs/$day.log")"
    [ "$result" = ok ] || cat "$logs/$day.log"
  done
done
rm -rf "$logs"
exit $status
