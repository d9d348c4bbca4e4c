#!/usr/bin/env bash
# Wrapper for CTest: run_acceptance.sh through_gateway CLIENT SCENARIO KIND | replay KIND
# Exits 77 (CTest "skipped") when the shared harness or its clients are not available.
set -u
SHARED="${SWITCHYARD_SHARED_DIR:-}"
A="$SHARED/acceptance"
if [ -z "$SHARED" ] || [ ! -d "$A" ]; then echo "SKIP: no shared acceptance harness at '$A'"; exit 77; fi
if ! "$A/install_clients.sh" --check >/dev/null 2>&1; then
  echo "SKIP: acceptance clients are not installed (run $A/install_clients.sh)"; exit 77
fi
mode="$1"; shift
case "$mode" in
  through_gateway)
    export SY_REQUIRE_ROUTED_MODEL=1
    "$A/through_gateway.sh" "$@"; rc=$?
    if [ $rc -ne 0 ]; then
      d="${SY_ACCEPT_LOGS:-.}/$1-$2-$3"
      for f in "$d/gateway.stderr" "$d/upstream-check.txt" "$d/client.out"; do
        [ -f "$f" ] && { echo "----- $f"; tail -n 40 "$f"; }
      done
    fi
    exit $rc ;;
  replay)
    [ -x "$A/replay/replay_bar.sh" ] || { echo "SKIP: no replay bar"; exit 77; }
    # The bar ends with "N passed, N failed"; keep that line out of CTest's own summary parsing by prefixing it.
    "$A/replay/replay_bar.sh" "$@" 2>&1 | sed 's/^\([0-9]* passed, [0-9]* failed\)$/replay: \1/'
    exit "${PIPESTATUS[0]}" ;;
  *) echo "usage: $0 through_gateway CLIENT SCENARIO KIND | replay KIND" >&2; exit 2 ;;
esac
