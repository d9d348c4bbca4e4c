#!/bin/sh
# Runs "$@" on a throwaway X server (xvfb-run) with a system tray host (trayer, XEmbed) in a private D-Bus session
# (QT-ON-DEBIAN.md section 2). Exits 77 (skipped) when xvfb-run, trayer or dbus-run-session is missing.
# Usage: with_tray.sh <test binary> [args...]
set -u
for tool in xvfb-run trayer dbus-run-session xauth; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "SKIP   : $tool is not installed (apt-get install xvfb xauth trayer dbus)"
        exit 77
    fi
done
if [ "${SWITCHYARD_IN_TRAY_SESSION:-}" != 1 ]; then
    SWITCHYARD_IN_TRAY_SESSION=1 exec xvfb-run -a -s "-screen 0 1024x768x24" dbus-run-session -- "$0" "$@"
fi
trayer --edge top --align right --widthtype request --height 32 --SetDockType true --transparent false \
    >/dev/null 2>&1 &
tray_pid=$!
# No sleep: the test waits (QTRY) until the tray manager selection is owned.
QT_QPA_PLATFORM=xcb "$@"
rc=$?
kill "$tray_pid" 2>/dev/null
wait "$tray_pid" 2>/dev/null
exit "$rc"
