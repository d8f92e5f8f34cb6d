# The two commands of the README, and a few for developers. Each sets up what it needs first.
.PHONY: run test setup lint format check-deploy bench

setup:
	@scripts/bootstrap.sh

run: setup
	@scripts/run.sh

test: setup
	@scripts/test.sh $(ARGS)

lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format: setup
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

check-deploy: setup
	@scripts/check_deploy.sh
