#!/bin/sh
# Installs the Chromium that the browser tests (npm run test:browser) drive through playwright-core.
# Debian and Ubuntu: the distribution's package; nothing is downloaded by playwright itself.
set -eu
if [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  echo "Chromium is installed at ${CHROMIUM_PATH:-/usr/bin/chromium}."
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "No apt-get here: install Chromium with your package manager and set CHROMIUM_PATH to its binary." >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update
$SUDO apt-get install -y chromium
