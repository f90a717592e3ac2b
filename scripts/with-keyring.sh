#!/usr/bin/env bash
# Runs a command with a usable keyring. On a desktop the session keyring is used as is; without
# one (a server, CI) it starts a private D-Bus session with GNOME Keyring, unlocked with a random
# password, storing its keyring under KEYRING_HOME (so nothing leaks into the user's own).
set -euo pipefail
if [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] && [ -z "${CSCONSOLE_PRIVATE_KEYRING:-}" ]; then
  exec "$@"
fi
if [ -z "${CSCONSOLE_PRIVATE_KEYRING:-}" ]; then
  export CSCONSOLE_PRIVATE_KEYRING=1
  export KEYRING_HOME=${KEYRING_HOME:-$(mktemp -d)}
  exec dbus-run-session -- "$0" "$@"
fi
export XDG_DATA_HOME="$KEYRING_HOME/share"
mkdir -p "$XDG_DATA_HOME"
pw=$(head -c 24 /dev/urandom | base64)
eval "$(printf '%s' "$pw" | gnome-keyring-daemon --unlock --components=secrets)"
unset pw
export GNOME_KEYRING_CONTROL
exec "$@"
