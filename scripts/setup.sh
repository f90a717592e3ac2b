#!/usr/bin/env bash
# Sets up everything csconsole needs on Debian 12 with Python 3.11: system packages (only the
# missing ones), a virtualenv in .venv, and the project with its dev tools. Safe to rerun.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  # Qt's xcb platform plugin and friends (PySide6 wheels bring Qt itself)
  libegl1 libgl1 libfontconfig1 libdbus-1-3 libglib2.0-0 libxkbcommon0 libxkbcommon-x11-0
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0
  libxcb-shape0 libxcb-xinerama0 libxcb-xkb1
  # a virtual screen, screenshots, PDF tools, fonts
  xvfb xauth imagemagick poppler-utils qpdf fonts-dejavu-core fonts-droid-fallback icc-profiles-free
  # a keyring for machines without a desktop session
  gnome-keyring dbus-user-session dbus-x11
  python3-venv
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  # Another program (unattended-upgrades, a software centre, a second apt) may hold the package
  # manager's lock: wait for it, up to ten minutes, instead of failing at once.
  LOCK_WAIT_S=600
  APT_WAIT=(-o "DPkg::Lock::Timeout=$LOCK_WAIT_S")
  if command -v fuser >/dev/null \
    && $SUDO fuser /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock \
      >/dev/null 2>&1; then
    echo "setup: another program is using the package manager; waiting for it to finish" \
      "(up to $((LOCK_WAIT_S / 60)) minutes)..." >&2
  else
    echo "setup: if another program holds the package manager's lock, this waits for it" \
      "(up to $((LOCK_WAIT_S / 60)) minutes)" >&2
  fi
  $SUDO apt-get "${APT_WAIT[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get "${APT_WAIT[@]}" install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[dev]"
# An installed wheel comes with its byte code compiled; the editable install does not, and where
# PYTHONDONTWRITEBYTECODE is set every start would compile the package again. Compile it once.
.venv/bin/python -m compileall -q src >/dev/null
echo "setup: done (.venv/bin/csconsole)" >&2
