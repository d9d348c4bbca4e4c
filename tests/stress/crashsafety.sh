#!/usr/bin/env bash
# crashsafety.sh - issue 9's crash-safety run: SIGKILL the gateway under load, restart it on the same data dir, and
# check that the usage DB is intact and holds every request whose response the clients had received completely.
#
#   tests/stress/crashsafety.sh [--rounds 5] [-c 32] [--kill-min 3] [--kill-max 10] [--fault-rate 0]
#                               [--chunks 60] [--out DIR] [--keep-run] [-h|--help]
#
# What runs (all on 127.0.0.1, ports picked by the OS, one private run directory from mktemp -d whose data dir —
# and so usage log, <run>/home/data/switchyard/usage.sqlite — every restart reuses):
#   - faultmock.py as the upstream (no faults unless --fault-rate), switchyard --headless with the same config as
#     soak.sh (HOME/XDG in the run dir, SWITCHYARD_SECRET_STORE=memory);
#   - per round: loadclient.py with -c keep-alive clients and the same request mix as the soak; each client writes
#     the request-id header of every response it received completely (content-length body, or the chunked body up
#     to its zero-size last chunk) with the time it completed. After a random delay in [--kill-min, --kill-max] s
#     the gateway gets SIGKILL; the clients stop when it no longer accepts connections.
#   - then, on a copy of the DB files as the kill left them (usage.sqlite and its -wal): PRAGMA integrity_check,
#     and every acknowledged request id looked up in requests.request_id;
#   - the gateway is restarted on the same data dir and must start and serve 3 streamed requests (200, complete);
#     that gateway is the next round's.
# After the last round the gateway is stopped with SIGTERM and the DB is checked again (integrity, and the ids
# acknowledged in all rounds and the restart probes).
#
# A round fails when an acknowledged request has no row, integrity_check is not "ok", or the restart does not
# serve; the exit status is 1 then. "missing were acked at" shows when the lost responses had completed on the
# client, relative to the SIGKILL (a writer that commits in batches loses about its last flush interval; slightly
# positive values are responses already in the client's socket buffer when the kill was sent).
# Prints a Markdown summary (also report.md, rounds.jsonl, the client summaries and logs in --out; default: a new
# mktemp -d directory).
#
# Env: SWITCHYARD_BIN (the executable; otherwise a Release build without UI is made in
#      $SWITCHYARD_STRESS_BUILD_DIR, default <repo>/build-stress).
set -euo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }
ROUNDS=5; C=32; KMIN=3; KMAX=10; FAULT_RATE=0; CHUNKS=60; OUT=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2;;
    -c) C="$2"; shift 2;;
    --kill-min) KMIN="$2"; shift 2;;
    --kill-max) KMAX="$2"; shift 2;;
    --fault-rate) FAULT_RATE="$2"; shift 2;;
    --chunks) CHUNKS="$2"; shift 2;;
    --out) OUT="$2"; shift 2;;
    --keep-run) KEEP_RUN=1; shift;;
    -h|--help) usage; exit 0;;
    *) die "unknown option $1 (see --help)";;
  esac
done
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "--rounds must be a positive integer"

find_switchyard
OUT="${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/switchyard-crash-results.XXXXXX")}"
mkdir -p "$OUT"; OUT="$(cd "$OUT" && pwd)"
install_traps
make_run_dir crash
log "crash safety: $ROUNDS SIGKILLs, $C clients, kill after ${KMIN}-${KMAX} s; binary $SWITCHYARD_BIN"
log "run dir $RUN, results in $OUT"

start_mock "$FAULT_RATE" --chunks "$CHUNKS" --stall-s 3 --keepalive-s 2
write_config 64 1000 5000
cp "$RUN/config.json" "$OUT/config.json"
start_gateway switchyard || die "switchyard did not start (log: $OUT/switchyard.log)"
log "mock on $MOCK_PORT, switchyard on $GW_PORT (pid $GW_PID)"
sleep 2

now() { date +%s.%N; }
: > "$OUT/rounds.jsonl"
IDS_ARGS=()
RC=0
for ((r = 1; r <= ROUNDS; r++)); do
  python3 "$STRESS_DIR/loadclient.py" --port "$GW_PORT" -c "$C" -n 1000000000 --max-time $((KMAX + 120)) \
    --request-timeout 10 --label "round$r" --progress 0 --ids "$OUT/round$r.ids" --summary "$OUT/round$r.json" \
    2> "$OUT/round$r.client.log" &
  LOAD_PID=$!
  DELAY=$(python3 -c 'import random, sys; print("%.2f" % random.uniform(float(sys.argv[1]), float(sys.argv[2])))' "$KMIN" "$KMAX")
  sleep "$DELAY"
  kill -0 "$GW_PID" 2>/dev/null || die "round $r: the gateway died before the kill (log: $OUT/switchyard.log)"
  kill -0 "$LOAD_PID" 2>/dev/null || die "round $r: the load client ended before the kill (see $OUT/round$r.client.log)"
  T_KILL=$(now)
  kill -KILL "$GW_PID"
  wait "$GW_PID" 2>/dev/null || true
  GW_PID=""
  echo "--- SIGKILL (round $r) ---" >> "$RUN/switchyard.log"
  wait "$LOAD_PID" || die "round $r: the load client failed (see $OUT/round$r.client.log)"
  LOAD_PID=""
  # the DB files exactly as the kill left them, checked on a copy so the restart sees them untouched
  SNAP="$RUN/snap$r"; mkdir -p "$SNAP"
  for f in "$USAGE_DB" "$USAGE_DB-wal"; do [[ -f "$f" ]] && cp "$f" "$SNAP/"; done
  [[ -f "$SNAP/usage.sqlite" ]] || die "round $r: no usage DB at $USAGE_DB"
  # restart on the same data dir; it must serve
  RESTART=failed
  if start_gateway switchyard && kill -0 "$GW_PID" 2>/dev/null; then
    python3 "$STRESS_DIR/loadclient.py" --port "$GW_PORT" -c 1 -n 3 --mix anth_chat_stream=1 --progress 0 \
      --label "probe$r" --ids "$OUT/probe$r.ids" --summary "$OUT/probe$r.json" 2>/dev/null || true
    if python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); sys.exit(0 if s["outcomes"] == {"200": 3} else 1)' \
         "$OUT/probe$r.json" 2>/dev/null; then
      RESTART=ok
    fi
  fi
  python3 "$STRESS_DIR/stressreport.py" crash-round --db "$SNAP/usage.sqlite" --ids "$OUT/round$r.ids" \
    --kill-time "$T_KILL" --kill-after "$DELAY" --round "$r" --summary "$OUT/round$r.json" --restart "$RESTART" \
    >> "$OUT/rounds.jsonl"
  tail -n 1 "$OUT/rounds.jsonl" | python3 -c 'import json, sys; r = json.loads(sys.stdin.read())
print("round %d: kill after %.1f s, sent %s, acknowledged %d, present %d, missing %d%s, integrity %s, restart %s" % (
    r["round"], r["kill_after_s"], r["sent"], r["acknowledged"], r["present"], r["missing"],
    " (acked %+g..%+g ms from the kill)" % tuple(r["missing_acked_rel_kill_ms"])
    if r["missing"] else "", r["integrity"], r["restart"]))' >&2
  IDS_ARGS+=(--ids "$OUT/round$r.ids")
  [[ -f "$OUT/probe$r.ids" ]] && IDS_ARGS+=(--ids "$OUT/probe$r.ids")
  if [[ $RESTART != ok ]]; then
    log "round $r: the gateway did not restart and serve; stopping (log: $OUT/switchyard.log)"
    break
  fi
done

if [[ -n "$GW_PID" ]]; then
  log "stopping the gateway (SIGTERM)"
  stop_pid "$GW_PID"; wait "$GW_PID" 2>/dev/null || true; GW_PID=""
fi
stop_pid "$MOCK_PID"; wait "$MOCK_PID" 2>/dev/null || true; MOCK_PID=""

set +e
python3 "$STRESS_DIR/stressreport.py" crash --rounds "$OUT/rounds.jsonl" --db "$USAGE_DB" "${IDS_ARGS[@]}" \
  --meta "binary=$SWITCHYARD_BIN" --meta "clients=$C" --md "$OUT/report.md"
RC=$?
set -e
log "results: $OUT"
exit "$RC"
