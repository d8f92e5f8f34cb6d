#!/usr/bin/env bash
# Sets up everything the portal and its tests need on a fresh machine. Idempotent: a second run
# only checks. Used by `make run`, `make test` and .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[bootstrap] %s\n' "$*"; }

find_python() {
  # Django 6.1 needs Python >= 3.12. pyenv shims for 3.12 fail while 3.11 is active, so we
  # check each candidate by running it, and look inside pyenv's versions folder too.
  local cands=("${PYTHON:-}" python3.13 python3.12 python3)
  if command -v pyenv >/dev/null 2>&1; then
    local root; root=$(pyenv root)
    for d in "$root"/versions/3.13* "$root"/versions/3.12*; do
      [ -x "$d/bin/python" ] && cands+=("$d/bin/python")
    done
  fi
  for d in /usr/bin /usr/local/bin; do
    for v in 3.13 3.12; do cands+=("$d/python$v"); done
  done
  for c in "${cands[@]}"; do
    [ -n "$c" ] || continue
    if "$c" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then
      command -v "$c" 2>/dev/null || echo "$c"
      return 0
    fi
  done
  return 1
}

# 1. Python virtual environment with the pinned packages.
stamp=.venv/.installed-$(cat requirements.txt requirements-dev.txt constraints.txt | sha1sum | cut -c1-12)
if [ ! -f "$stamp" ]; then
  if [ ! -x .venv/bin/python ]; then
    py=$(find_python) || { echo "ERROR: no working Python >= 3.12 found (tried PATH and \$(pyenv root)/versions). Install one, or set PYTHON=/path/to/python3.12." >&2; exit 1; }
    say "creating .venv with $py ($("$py" --version))"
    "$py" -m venv .venv
  fi
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r requirements-dev.txt -c constraints.txt
  rm -f .venv/.installed-*; touch "$stamp"
fi

# 2. Front-end libraries from the npm registry, pinned in package-lock.json, served by Django.
if [ -f package.json ]; then
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
    command -v npm >/dev/null || { echo "ERROR: npm is needed for the front-end libraries" >&2; exit 1; }
    say "installing front-end libraries (npm ci)"
    npm ci --silent --no-audit --no-fund
  fi
fi

# 3. System packages the tests need: Debian's chromium for the browser tests, gettext for
#    compiling translations, dovecot-imapd for the DPO inbox tests (a real IMAP server on loopback). Installed only when missing, and only as root.
need=()
command -v msgfmt >/dev/null || need+=(gettext)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/sbin/dovecot ] || need+=(dovecot-imapd)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing ${need[*]} from Debian"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "WARNING: missing ${need[*]}; install them (Debian: apt-get install ${need[*]})" >&2
  fi
fi

# 4. PostgreSQL and Redis: start the local servers if this machine has them and they are down.
scripts/services.sh

# 5. Translations.
if compgen -G "locale/*/LC_MESSAGES/*.po" >/dev/null; then
  DEBUG=true .venv/bin/python manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0
fi
