#!/usr/bin/env bash
# Sets everything up, builds the demo shop and opens the console on it.
# CUSTOMERS (default 20000) sets the demo's size. Without a desktop keyring the demo runs with
# a throwaway keyring, so it is rebuilt each time.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export CSCONSOLE_HOME=${CSCONSOLE_HOME:-$PWD/.demo-home}
run() {
  if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    echo "demo: no display; the console runs on a virtual screen (xvfb)" >&2
    xvfb-run -a -s "-screen 0 1280x800x24" "$@"
  else
    "$@"
  fi
}
inner() {
  .venv/bin/csconsole demo --customers "${CUSTOMERS:-20000}" --force
  echo "Sign in with one of the accounts above." >&2
  run .venv/bin/csconsole
}
export -f inner run
./scripts/with-keyring.sh bash -c inner
