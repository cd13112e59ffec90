#!/usr/bin/env bash
# Runs a command with a real Secret Service (gnome-keyring over D-Bus) so keytar talks to a real
# keychain. Reuses a session bus that is already there (a desktop, or a nested call).
set -euo pipefail
if [ -n "${KASSA_KEYRING_READY:-}" ]; then exec "$@"; fi
if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ] && command -v dbus-run-session >/dev/null; then
  exec dbus-run-session -- "$0" "$@"
fi
if command -v gnome-keyring-daemon >/dev/null; then
  # An unlocked throwaway login keyring for this run; its password never leaves this process tree.
  eval "$(printf 'kassa-test-keyring' | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)" || true
  export GNOME_KEYRING_CONTROL SSH_AUTH_SOCK 2>/dev/null || true
fi
export KASSA_KEYRING_READY=1
exec "$@"
