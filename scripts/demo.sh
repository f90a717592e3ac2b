#!/usr/bin/env bash
# Sets everything up, builds the demo shop and opens the console on it.
# CUSTOMERS (default 20000) sets the demo's size. Without a desktop keyring the demo runs with
# a throwaway keyring, so it is rebuilt each time.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export CSCONSOLE_HOME=${CSCONSOLE_HOME:-$PWD/.demo-home}
run() {
  if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    "$@"
    return
  fi
  # No display: a virtual screen of our own choosing, so we can say which one it is.
  local n=99
  while [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ]; do n=$((n + 1)); done
  local auth="$CSCONSOLE_HOME/xvfb-auth"
  mkdir -p "$CSCONSOLE_HOME"
  {
    echo "demo: no display, so the console runs on the virtual screen DISPLAY=:$n (Xvfb)."
    echo "demo: to look at it from another terminal, take a screenshot:"
    echo "        XAUTHORITY=$auth import -display :$n -window root shot.png"
    if command -v x11vnc >/dev/null; then
      echo "demo: or watch it live: XAUTHORITY=$auth x11vnc -display :$n -localhost, then a VNC" \
        "viewer on localhost:5900"
    else
      echo "demo: (to watch it live, install x11vnc and run x11vnc -display :$n -auth $auth)"
    fi
  } >&2
  xvfb-run -n "$n" -f "$auth" -s "-screen 0 1280x800x24" "$@"
}
inner() {
  local rc=0
  .venv/bin/csconsole demo --customers "${CUSTOMERS:-20000}" --force || rc=$?
  if [ "$rc" -eq 3 ]; then
    # Refused: this desk holds more than a fresh demo (its own cases or audit events, or
    # another shop), which only an admin naming the desk may wipe. Open what is there.
    echo "demo: the existing console in $CSCONSOLE_HOME was kept (reason above); opening it." \
      "Sign in with its accounts." >&2
  elif [ "$rc" -ne 0 ]; then
    return "$rc"
  else
    echo "Sign in with one of the accounts above." >&2
  fi
  run .venv/bin/csconsole
}
export -f inner run
./scripts/with-keyring.sh bash -c inner
