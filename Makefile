# The two commands of the README, and a few for developers. Each sets up what it needs first.
.PHONY: run test test-dates setup lint format check-deploy bench messages

setup:
	@scripts/bootstrap.sh

run: setup
	@scripts/run.sh

test: setup
	@scripts/test.sh $(ARGS)

# The date-sensitive tests with "today" moved (ilusmart/clock.py) to days that broke suites before.
test-dates: setup
	@scripts/test_dates.sh $(ARGS)

lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format: setup
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

check-deploy: setup
	@scripts/check_deploy.sh

# Collect the Dutch source strings into the English catalogue (no line numbers, so parallel work
# merges cleanly); fill new msgstr with scripts/po_fill.py, then `make setup` compiles them.
messages: setup
	DEBUG=true .venv/bin/python manage.py makemessages -l en --ignore=.venv --ignore=node_modules --no-obsolete --no-location -v 0
