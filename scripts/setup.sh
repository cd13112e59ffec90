#!/usr/bin/env bash
# Installs what Kassa needs on a fresh Debian machine, then its npm packages.
# System packages: a toolchain for the native modules (better-sqlite3, keytar), libsecret for
# keytar, a Secret Service (gnome-keyring + dbus) for the real keychain, and Chromium for the
# Playwright tests. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pkg in build-essential python3 libsecret-1-dev gnome-keyring dbus dbus-x11 chromium; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing system packages: ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if [ "${KASSA_SKIP_NPM_CI:-}" != "1" ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
fi
