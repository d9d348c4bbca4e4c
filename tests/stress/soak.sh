#!/usr/bin/env bash
# soak.sh - issue 9's soak: 100,000 requests at 64 concurrent clients with 5 % injected upstream faults, on loopback;
# passes when the gateway never dies, its RSS and open fds are flat, and the usage log has one row per request.
#
#   tests/stress/soak.sh [-n 100000] [-c 64] [--fault-rate 0.05] [--client-abort-rate 0.01] [--warmup 5000]
#                        [--chunks 60] [--settle 10] [--rss-bound-mb 10] [--fd-bound 2] [--max-time 1800]
#                        [--out DIR] [--keep-run] [-h|--help]
#
# What runs (all on 127.0.0.1, ports picked by the OS, in a private run directory from mktemp -d):
#   - faultmock.py, the upstream: OpenAI Chat and Anthropic, streaming and not, answers of --chunks deltas; with
#     probability --fault-rate a request gets a fault instead: 429 (retry-after 1), 500, 529/503, a reset before
#     or after the first byte, a stall before or after the first byte (longer than the gateway's 1 s upstream idle
#     timeout), garbage SSE/JSON, or a stream cut short.
#   - switchyard --headless with HOME/XDG in the run dir, SWITCHYARD_SECRET_STORE=memory, and a config with two
#     OpenAI Chat and two Anthropic providers on the mock (64 fake keys each, upstream idle timeout 1 s, total 5 s);
#     model soak-chat routes to chat-a then chat-b, soak-pass to anth-a then anth-b (fail-over on every fault that
#     arrives before the client got a byte).
#   - loadclient.py: C keep-alive connections; a mix of Anthropic /v1/messages (translated to OpenAI Chat, and
#     passed through to Anthropic) and OpenAI /v1/chat/completions (relayed, and translated to Anthropic), 2/3
#     streaming; --client-abort-rate of the requests are dropped by the client after the response headers.
#   - procsample.py: the gateway's VmRSS, open fds and threads every second.
# Phases: fresh start -> warm-up (--warmup requests) -> idle for --settle s, and until 35 s after the start (the
# first usage-log prune at 30 s opens a read connection that stays) -> the soak (-n requests) -> --settle s idle ->
# SIGTERM (the gateway must exit 0) -> checks.
#
# Checks (exit 1 when one fails):
#   - the gateway never exits during the run, and exits with status 0 on SIGTERM;
#   - all -n requests were sent; no client connection was closed, reset or left hanging by the gateway
#     (outcomes conn-error / timeout / refused are 0; HTTP errors and error events from the faults are counted,
#     not judged);
#   - RSS flat: end idle - warm idle < --rss-bound-mb, and under load, late (last 10 % of the soak) - early
#     (10-20 %) < --rss-bound-mb;
#   - fds flat: end idle within +-(--fd-bound) of warm idle (idle = after --settle s without load, when the
#     client's connections are closed and the mock has closed idle upstream keep-alive connections after 2 s);
#   - usage log: PRAGMA integrity_check ok, rows == requests sent (warm-up + soak), request ids unique, and every
#     acknowledged request's request-id has a row.
# Prints a Markdown summary (also report.md, result.json, the client summaries, samples.csv and logs in --out;
# default: a new mktemp -d directory).
#
# Env: SWITCHYARD_BIN (the executable; otherwise a Release build without UI is made in
#      $SWITCHYARD_STRESS_BUILD_DIR, default <repo>/build-stress).
set -euo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }
N=100000; C=64; FAULT_RATE=0.05; ABORT_RATE=0.01; WARMUP=5000; CHUNKS=60; SETTLE=10; RSS_BOUND=10; FD_BOUND=2
MAX_TIME=1800; OUT=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    -n) N="$2"; shift 2;;
    -c) C="$2"; shift 2;;
    --fault-rate) FAULT_RATE="$2"; shift 2;;
    --client-abort-rate) ABORT_RATE="$2"; shift 2;;
    --warmup) WARMUP="$2"; shift 2;;
    --chunks) CHUNKS="$2"; shift 2;;
    --settle) SETTLE="$2"; shift 2;;
    --rss-bound-mb) RSS_BOUND="$2"; shift 2;;
    --fd-bound) FD_BOUND="$2"; shift 2;;
    --max-time) MAX_TIME="$2"; shift 2;;
    --out) OUT="$2"; shift 2;;
    --keep-run) KEEP_RUN=1; shift;;
    -h|--help) usage; exit 0;;
    *) die "unknown option $1 (see --help)";;
  esac
done

find_switchyard
OUT="${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/switchyard-soak-results.XXXXXX")}"
mkdir -p "$OUT"; OUT="$(cd "$OUT" && pwd)"
install_traps
make_run_dir soak
log "soak: $N requests, $C clients, fault rate $FAULT_RATE, client aborts $ABORT_RATE; binary $SWITCHYARD_BIN"
log "run dir $RUN, results in $OUT"

start_mock "$FAULT_RATE" --chunks "$CHUNKS" --stall-s 3 --keepalive-s 2
write_config 64 1000 5000
cp "$RUN/config.json" "$OUT/config.json"
start_gateway switchyard || die "switchyard did not start (log: $OUT/switchyard.log)"
log "mock on $MOCK_PORT, switchyard on $GW_PORT (pid $GW_PID)"
sleep 2   # storage and the usage log open asynchronously
python3 "$STRESS_DIR/procsample.py" "$GW_PID" "$OUT/samples.csv" 1 &
SAMPLER_PID=$!
sleep 1

now() { date +%s.%N; }
alive_or_die() { kill -0 "$GW_PID" 2>/dev/null || die "the gateway died ($1); log: $OUT/switchyard.log"; }

loadrun() {  # loadrun LABEL N
  python3 "$STRESS_DIR/loadclient.py" --port "$GW_PORT" -c "$C" -n "$2" --max-time "$MAX_TIME" \
    --client-abort-rate "$ABORT_RATE" --request-timeout 30 --label "$1" \
    --ids "$OUT/$1.ids" --summary "$OUT/$1.json" &
  LOAD_PID=$!
  wait "$LOAD_PID" || die "the load client failed"
  LOAD_PID=""
}

M_FRESH=$(now)
GW_STARTED=$SECONDS
log "warm-up: $WARMUP requests"
loadrun warmup "$WARMUP"
alive_or_die "warm-up"
# The warm idle point is at least --settle s after the warm-up and at least 35 s after the gateway started: the
# first usage-log prune runs 30 s after start and keeps its read connection (2 fds: the DB and its WAL) open.
WAIT=$(( GW_STARTED + 35 - SECONDS )); (( WAIT < SETTLE )) && WAIT=$SETTLE
sleep "$WAIT"
M_WARM=$(now)
ls -l "/proc/$GW_PID/fd" > "$OUT/fds-warm-idle.txt" 2>&1 || true
log "soak: $N requests"
M_MAIN_START=$(now)
loadrun soak "$N"
M_MAIN_END=$(now)
alive_or_die "soak"
sleep "$SETTLE"
M_END=$(now)
ls -l "/proc/$GW_PID/fd" > "$OUT/fds-end-idle.txt" 2>&1 || true
alive_or_die "idle after the soak"
sleep 1.5   # one more sample after the end mark
M_STOP=$(now)
stop_pid "$SAMPLER_PID"; SAMPLER_PID=""
log "stopping the gateway (SIGTERM)"
kill -TERM "$GW_PID"
GW_EXIT=0
wait "$GW_PID" || GW_EXIT=$?
GW_PID=""
stop_pid "$MOCK_PID"; wait "$MOCK_PID" 2>/dev/null || true; MOCK_PID=""
cp -f "$RUN/mock-stats.json" "$OUT/" 2>/dev/null || true
[[ -f "$USAGE_DB" ]] || die "no usage log at $USAGE_DB"

COMMIT="$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')"
set +e
python3 "$STRESS_DIR/stressreport.py" soak --samples "$OUT/samples.csv" \
  --summary "$OUT/warmup.json" --summary "$OUT/soak.json" --ids "$OUT/warmup.ids" --ids "$OUT/soak.ids" \
  --db "$USAGE_DB" --mock-stats "$OUT/mock-stats.json" --gw-exit "$GW_EXIT" --target "$N" \
  --rss-bound-mb "$RSS_BOUND" --fd-bound "$FD_BOUND" \
  --mark "fresh=$M_FRESH" --mark "warm_idle=$M_WARM" --mark "main_start=$M_MAIN_START" \
  --mark "main_end=$M_MAIN_END" --mark "end_idle=$M_END" --mark "stop=$M_STOP" \
  --meta "binary=$SWITCHYARD_BIN" --meta "fault_rate=$FAULT_RATE" --meta "scripts_commit=$COMMIT" --meta "cores=$(nproc)" \
  --md "$OUT/report.md" --json "$OUT/result.json"
RC=$?
set -e
log "results: $OUT"
exit "$RC"
