#!/bin/sh
# Runs a command inside a throwaway D-Bus session with an unlocked gnome-keyring (QT-ON-DEBIAN.md §3), so that
# QtKeychain works without a desktop. HOME and the XDG dirs point into a temporary directory: the user's own keyring
# is never touched. Exits 77 (CTest SKIP_RETURN_CODE) when dbus-run-session or gnome-keyring-daemon is missing.
#   usage: with_keyring.sh <command> [args...]
set -u
for tool in dbus-run-session gnome-keyring-daemon; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "SKIP   : with_keyring.sh: $tool is not installed (apt-get install dbus gnome-keyring)"
        exit 77
    fi
done

KHOME=$(mktemp -d) || exit 1
trap 'rm -rf "$KHOME"' EXIT INT TERM
mkdir -m 700 "$KHOME/run" || exit 1 # before dbus-daemon starts: it wants XDG_RUNTIME_DIR to exist

HOME="$KHOME" XDG_DATA_HOME="$KHOME/share" XDG_CACHE_HOME="$KHOME/cache" \
XDG_CONFIG_HOME="$KHOME/config" XDG_RUNTIME_DIR="$KHOME/run" \
    dbus-run-session -- sh -c '
        printf %s ci-keyring-pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 1
        exec "$@"' sh "$@"
