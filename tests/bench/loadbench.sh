#!/usr/bin/env bash
# loadbench.sh - the one-command load benchmark: Switchyard next to nginx and claude-code-router (ccr),
# all in front of the same mock upstream, measured in one run; writes raw JSON lines and a Markdown report.
#
#   tests/bench/loadbench.sh [--quick] [--rounds N] [--dur SEC] [--out DIR] [--update-doc] [--no-micro] [--no-ccr]
#                            [--keep-run] [-h|--help]
#
#   --quick        smoke test: 1 round, short runs (about 2-3 minutes)
#   --rounds N     rounds (default 3); the target order is rotated every round, tables show medians
#   --dur SEC      seconds per throughput run (s_c8, s_c32, s_c128, linearity; default 6, --quick 2)
#   --out DIR      output directory (default <build dir>/results/<UTC timestamp>)
#   --update-doc   also copy the report to tests/bench/benchmarks.md (the committed results doc)
#   --no-micro     skip the Google Benchmark micro-benchmarks (bench_translation)
#   --no-ccr       leave claude-code-router out (it is also left out, with a note, when npm cannot install it)
#   --keep-run     keep the private run directory (service logs, configs, usage log) instead of removing it
#
# What it does, in one run (everything on 127.0.0.1, free ports only, every run bounded in count and time):
#   1. builds the shared bench tools (mock upstream, load client, request bodies) with <shared>/bench/build.sh
#      and installs the pinned peers with npm (<shared>/bench/install_peers.sh; without npm, ccr is skipped);
#   2. uses $SWITCHYARD_BIN, or configures and builds a Release Switchyard into $SWITCHYARD_BENCH_BUILD_DIR;
#   3. runs the micro-benchmarks (bench_translation, --benchmark_format=json) if the binary is there;
#   4. starts mock + nginx + ccr + switchyard --headless in a private run directory (mktemp -d), with
#      HOME/XDG there, SWITCHYARD_SECRET_STORE=memory and the usage log in that directory;
#   5. measures the idle RSS, then the tray app's idle RSS (non-headless, QT_QPA_PLATFORM=offscreen);
#   6. runs the rounds: ns_c1 and s_c1 for direct/nginx/ccr/switchyard, s_c8/s_c32/s_c128 for
#      nginx/ccr/switchyard, and the linearity pair lin_1x/lin_2x (s_c8, 57 KB vs doubled body) for
#      Switchyard; then the idle RSS after the load;
#   7. stops everything it started (also on Ctrl-C) and writes raw.jsonl, micro.json, report.md into the
#      output directory; prints the report's path.
#
# Env: SWITCHYARD_BIN (the switchyard executable to measure; otherwise one is built),
#      SWITCHYARD_BENCH_BUILD_DIR (where to build it; default <repo>/build-bench),
#      SWITCHYARD_TRAY_BIN (binary for the tray RSS when SWITCHYARD_BIN was built without the UI),
#      BENCH_TRANSLATION (the micro-benchmark binary; default beside SWITCHYARD_BIN's build dir),
#      SWITCHYARD_SHARED_DIR (default <repo>/../shared), SY_BENCH_DIR (bench cache, see shared/bench),
#      QUIET_WAIT (seconds bench.sh may wait for a quieter machine before each run; default 1, 0 = no wait).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
SHARED="${SWITCHYARD_SHARED_DIR:-$REPO/../shared}"
BENCH="$SHARED/bench"

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }

QUICK=0; ROUNDS=""; DUR=""; OUT=""; UPDATE_DOC=0; MICRO=1; KEEP_RUN=0; WANT_CCR=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) QUICK=1; shift;;
    --rounds) ROUNDS="${2:?--rounds needs a number}"; shift 2;;
    --dur) DUR="${2:?--dur needs seconds}"; shift 2;;
    --out) OUT="${2:?--out needs a directory}"; shift 2;;
    --update-doc) UPDATE_DOC=1; shift;;
    --no-micro) MICRO=0; shift;;
    --keep-run) KEEP_RUN=1; shift;;
    --no-ccr) WANT_CCR=0; shift;;
    -h|--help) usage; exit 0;;
    *) echo "loadbench.sh: unknown option $1 (see --help)" >&2; exit 2;;
  esac
done

# Scenario sizes. ns_c1 / s_c1 stop at N1 requests or D1 seconds, whichever comes first (ccr is ~20 ms a request).
if [[ $QUICK == 1 ]]; then
  ROUNDS="${ROUNDS:-1}"; DUR="${DUR:-2}"; N1=150; D1=1.5; WARM1=10; MICRO_MIN_TIME=0.05; TRAY_SETTLE=2
else
  ROUNDS="${ROUNDS:-3}"; DUR="${DUR:-6}"; N1=1000; D1=4; WARM1=20; MICRO_MIN_TIME=0.3; TRAY_SETTLE=2
fi
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "loadbench.sh: --rounds must be a positive integer" >&2; exit 2; }
[[ "$DUR" =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "loadbench.sh: --dur must be a number of seconds" >&2; exit 2; }
QUIET_WAIT="${QUIET_WAIT:-1}"

log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }
die() { echo "loadbench.sh: $*" >&2; exit 1; }

[[ -x "$BENCH/build.sh" && -x "$BENCH/harness/peers.sh" ]] \
  || die "the shared bench is not at $BENCH (set SWITCHYARD_SHARED_DIR to the shared folder)"
for tool in python3 g++ curl; do command -v "$tool" >/dev/null || die "$tool is not installed"; done

BUILD_DIR="${SWITCHYARD_BENCH_BUILD_DIR:-$REPO/build-bench}"
STAMP="$(date -u +%Y%m%d-%H%M%S)"
OUT="${OUT:-$BUILD_DIR/results/$STAMP}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
RAW="$OUT/raw.jsonl"
: > "$RAW"
T_START=$(date +%s)

# --- cleanup: stop every process this script started, even on Ctrl-C ------------------------------------
RUN=""; TRAY_PID=""
stop_pid() {  # stop_pid PID: TERM, up to 5 s, then KILL (only our own PIDs are ever passed here)
  local p=$1
  kill -0 "$p" 2>/dev/null || return 0
  kill -TERM "$p" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$p" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  [[ -n "$TRAY_PID" ]] && stop_pid "$TRAY_PID"
  if [[ -n "$RUN" && -d "$RUN" ]]; then
    SY_BENCH_RUN="$RUN" "$BENCH/harness/peers.sh" stop
    mkdir -p "$OUT/logs"
    cp -f "$RUN"/*.log "$OUT/logs/" 2>/dev/null
    [[ -f "$RUN/tray/tray.log" ]] && cp -f "$RUN/tray/tray.log" "$OUT/logs/"
    if [[ $KEEP_RUN == 1 ]]; then echo "run directory kept: $RUN" >&2; else rm -rf "$RUN"; fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "loadbench.sh: interrupted" >&2; exit 130' INT
trap 'echo "loadbench.sh: terminated" >&2; exit 143' TERM

# --- JSON lines ----------------------------------------------------------------------------------------
emit() {  # emit JSON_OBJECT [key=value ...]: adds the keys (numbers stay numbers) and appends to raw.jsonl
  python3 - "$@" >> "$RAW" <<'EOF'
import json, sys
d = json.loads(sys.argv[1]) if sys.argv[1].strip() else {}
for kv in sys.argv[2:]:
    k, _, v = kv.partition("=")
    try:
        v = int(v)
    except ValueError:
        try:
            v = float(v)
        except ValueError:
            pass
    d[k] = v
print(json.dumps(d))
EOF
}
NOTES=()
note() { log "NOTE: $*"; NOTES+=("$*"); emit '{"kind":"note"}' "text=$*"; }

# --- 1. shared bench tools and peers --------------------------------------------------------------------
log "building the shared bench tools ($BENCH/build.sh)"
"$BENCH/build.sh" >&2
. "$BENCH/lib/env.sh"   # BENCH_BIN, BENCH_BODIES, BENCH_PEERS (the bench cache)

HAVE_CCR=1
if [[ $WANT_CCR == 0 ]]; then
  HAVE_CCR=0; note "claude-code-router (ccr) left out (--no-ccr)"
elif ! command -v npm >/dev/null || ! command -v node >/dev/null; then
  HAVE_CCR=0; note "node/npm not installed: claude-code-router (ccr) is skipped"
elif ! "$BENCH/install_peers.sh" --check >/dev/null 2>&1; then
  log "installing the pinned peers with npm ($BENCH/install_peers.sh)"
  if ! timeout 600 "$BENCH/install_peers.sh" >&2; then
    HAVE_CCR=0; note "npm could not install the peers (registry not reachable?): claude-code-router (ccr) is skipped"
  fi
fi

if ! command -v nginx >/dev/null; then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    log "nginx is missing: apt-get install nginx-light"
    apt-get install -y -q nginx-light >&2 || { apt-get update -q >&2 && apt-get install -y -q nginx-light >&2; } \
      || die "could not install nginx-light"
  else
    die "nginx is not on PATH (Debian: sudo apt-get install nginx-light)"
  fi
fi

# --- 2. the Switchyard binary ---------------------------------------------------------------------------
if [[ -n "${SWITCHYARD_BIN:-}" ]]; then
  [[ -x "$SWITCHYARD_BIN" ]] || die "SWITCHYARD_BIN=$SWITCHYARD_BIN is not an executable"
else
  log "building a Release switchyard into $BUILD_DIR"
  command -v cmake >/dev/null || die "cmake is not installed (or set SWITCHYARD_BIN)"
  cmake -S "$REPO" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DSWITCHYARD_SHARED_DIR="$SHARED" >&2
  cmake --build "$BUILD_DIR" --target switchyard -j "$(nproc)" >&2
  if [[ $MICRO == 1 ]]; then
    cmake --build "$BUILD_DIR" --target bench_translation -j "$(nproc)" >&2 \
      || note "bench_translation did not build (Google Benchmark missing?): no micro-benchmarks"
  fi
  SWITCHYARD_BIN="$BUILD_DIR/app/switchyard"
fi
SWITCHYARD_BIN="$(cd "$(dirname "$SWITCHYARD_BIN")" && pwd)/$(basename "$SWITCHYARD_BIN")"
export SWITCHYARD_BIN
build_type() {  # build_type BIN: CMAKE_BUILD_TYPE of the build dir the binary sits in (or "unknown")
  local c
  c="$(dirname "$1")/../CMakeCache.txt"
  [[ -f "$c" ]] && sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$c" | head -1 || echo unknown
}
has_ui() { [[ "$(ldd "$1" 2>/dev/null)" == *libQt6Widgets* ]]; }   # (no grep -q: SIGPIPE under pipefail)
SY_BUILD_TYPE="$(build_type "$SWITCHYARD_BIN")"
# which source the binary was built from (the CMake source dir of its build dir; HEAD there at run time)
SY_SOURCE="$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$(dirname "$SWITCHYARD_BIN")/../CMakeCache.txt" 2>/dev/null | head -1 || true)"
SY_SOURCE_COMMIT="$( [[ -n "$SY_SOURCE" ]] && git -C "$SY_SOURCE" rev-parse HEAD 2>/dev/null || true)"
SY_BIN_MTIME="$(date -u -r "$SWITCHYARD_BIN" -Is)"
[[ "$SY_BUILD_TYPE" == Release || "$SY_BUILD_TYPE" == RelWithDebInfo ]] \
  || note "switchyard build type is '$SY_BUILD_TYPE', not Release: its numbers are not representative"

# --- 3. micro-benchmarks ----------------------------------------------------------------------------------
BT="${BENCH_TRANSLATION:-$(dirname "$SWITCHYARD_BIN")/../tests/bench/bench_translation}"
if [[ $MICRO == 1 ]]; then
  if [[ -x "$BT" ]]; then
    log "micro-benchmarks: $BT"
    if ! timeout 300 "$BT" --benchmark_format=json --benchmark_min_time="$MICRO_MIN_TIME" \
         > "$OUT/micro.json" 2> "$OUT/micro.err"; then
      note "bench_translation failed (see micro.err)"
    fi
  else
    note "no micro-benchmark binary at $BT (set BENCH_TRANSLATION): micro-benchmarks skipped"
  fi
fi

# --- 4. services in a private run directory -------------------------------------------------------------
RUN="$(mktemp -d "${TMPDIR:-/tmp}/switchyard-loadbench.XXXXXX")"
export SY_BENCH_RUN="$RUN"
# env.sh was sourced before the run dir existed: targets.sh reads ports.env and the pid files from BENCH_RUN
# shellcheck disable=SC2034
BENCH_RUN="$RUN"
export SWITCHYARD_SECRET_STORE=memory      # no keychain prompts
unset SWITCHYARD_USAGE_DB                  # the usage log goes to the default place: XDG_DATA_HOME in the run dir
export NO_PROXY="127.0.0.1,localhost" no_proxy="127.0.0.1,localhost"

BODY2X="$OUT/anthropic_stream_2x.json"
LIN_SIZES="$(python3 "$HERE/double_body.py" "$BENCH_BODIES/anthropic_stream.json" "$BODY2X")"
emit "$LIN_SIZES" kind=body2x

SERVICES=(mock nginx)
[[ $HAVE_CCR == 1 ]] && SERVICES+=(ccr)
SERVICES+=(switchyard)
log "starting ${SERVICES[*]} (run dir $RUN)"
if ! PORTS=auto "$BENCH/harness/peers.sh" start "${SERVICES[@]}" >&2; then
  # keep going without ccr if only ccr failed; anything else is fatal
  for s in mock nginx switchyard; do
    [[ -f "$RUN/$s.pid" ]] && kill -0 "$(cat "$RUN/$s.pid")" 2>/dev/null || die "$s did not start (log: $OUT/logs/$s.log)"
  done
  if [[ $HAVE_CCR == 1 ]] && ! { [[ -f "$RUN/ccr.pid" ]] && kill -0 "$(cat "$RUN/ccr.pid")" 2>/dev/null; }; then
    HAVE_CCR=0; note "claude-code-router did not start: ccr is skipped (log: logs/ccr.log)"
  fi
fi
. "$BENCH/harness/targets.sh"   # target_def, with the ports peers.sh wrote to $RUN/ports.env
pid_of() {  # pid_of PIDFILE: the recorded PID, or stop the benchmark (measuring nothing is worse than failing)
  [[ -s "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null || die "no running process for $1"
  cat "$1"
}
MOCKPID="$(pid_of "$RUN/mock.pid")"

TARGETS=(direct nginx)
[[ $HAVE_CCR == 1 ]] && TARGETS+=(ccr)
TARGETS+=(switchyard)

CCR_VERSION="$(node -p 'require(process.argv[1]).version' "$BENCH_PEERS/node_modules/@musistudio/claude-code-router/package.json" 2>/dev/null || echo '')"
python3 "$HERE/loadreport.py" meta --repo "$REPO" \
  "switchyard_bin=$SWITCHYARD_BIN" "switchyard_build_type=$SY_BUILD_TYPE" "switchyard_bin_mtime=$SY_BIN_MTIME" \
  "switchyard_source=$SY_SOURCE" "switchyard_source_commit=$SY_SOURCE_COMMIT" \
  "rounds=$ROUNDS" "dur_s=$DUR" "n1=$N1" "d1_s=$D1" "warmup1=$WARM1" "quick=$QUICK" "quiet_wait_s=$QUIET_WAIT" \
  "targets=${TARGETS[*]}" "ccr_version=$CCR_VERSION" "run_dir=$RUN" "started=$(date -u -Is)" >> "$RAW"

snap() {  # snap PID: procstat JSON of the process tree (rss_kb, hwm_kb, cpu_s, pids)
  python3 "$BENCH/harness/procstat.py" snap "$1"
}
idle_snapshot() {  # idle_snapshot LABEL: RSS of every running gateway
  local t pid
  for t in "${TARGETS[@]}"; do
    [[ $t == direct ]] && continue
    target_def "$t"
    pid="$(pid_of "$T_PIDFILE")"
    emit "$(snap "$pid")" kind=idle target="$t" label="$1"
  done
}

# --- 5. idle RSS: headless (fresh) and the tray app -----------------------------------------------------
sleep 2   # let the services finish their asynchronous start (Switchyard opens storage and the usage log)
idle_snapshot idle_fresh

tray_rss() {
  local bin="${SWITCHYARD_TRAY_BIN:-$SWITCHYARD_BIN}" d="$RUN/tray" bt
  if ! has_ui "$bin"; then
    note "tray RSS not measured: $bin is built without the UI (SWITCHYARD_BUILD_UI=OFF); set SWITCHYARD_TRAY_BIN to a UI build"
    return 0
  fi
  bt="$(build_type "$bin")"
  mkdir -p "$d/home/config" "$d/home/data" "$d/home/cache" "$d/runtime"
  chmod 700 "$d/runtime"
  cp "$RUN/switchyard/config.json" "$d/config.json"
  ( cd "$d"
    HOME="$d/home" XDG_CONFIG_HOME="$d/home/config" XDG_DATA_HOME="$d/home/data" XDG_CACHE_HOME="$d/home/cache" \
    XDG_RUNTIME_DIR="$d/runtime" QT_QPA_PLATFORM=offscreen \
    exec setsid "$bin" --config "$d/config.json" --listen 127.0.0.1:0 --port-file "$d/port" ) > "$d/tray.log" 2>&1 &
  TRAY_PID=$!
  for _ in $(seq 1 200); do   # <= 20 s for the port file
    [[ -s "$d/port" ]] && break
    kill -0 "$TRAY_PID" 2>/dev/null || break
    sleep 0.1
  done
  if [[ ! -s "$d/port" ]]; then
    note "tray app wrote no port file (log: logs/tray.log)"
  else
    sleep "$TRAY_SETTLE"
    if kill -0 "$TRAY_PID" 2>/dev/null; then
      emit "$(snap "$TRAY_PID")" kind=idle target=switchyard_tray label=idle_fresh build_type="$bt" bin="$bin"
      log "tray app idle RSS: $(awk '/VmRSS/{print $2}' "/proc/$TRAY_PID/status") kB ($bt build)"
    else
      note "tray app exited before its RSS was read (log: logs/tray.log)"
    fi
  fi
  stop_pid "$TRAY_PID"
  TRAY_PID=""
}
tray_rss

# --- 6. the rounds ----------------------------------------------------------------------------------------
SAMPLES="$OUT/samples"
mkdir -p "$SAMPLES"
run_one() {  # run_one TARGET SCENARIO ROUND
  local t=$1 s=$2 r=$3 body args=() mp=() line pid
  target_def "$t"
  pid="$(pid_of "$T_PIDFILE")"
  [[ $t != direct ]] && mp=(--mock-pid "$MOCKPID")
  case "$s" in
    ns_c1)  body=$T_BODY_NS; args=(-c 1 -n "$N1" -d "$D1" --warmup "$WARM1" --max-time 60);;
    s_c1)   body=$T_BODY_S;  args=(--stream -c 1 -n "$N1" -d "$D1" --warmup "$WARM1" --max-time 60)
            [[ $r == 1 ]] && args+=(--dump "$SAMPLES/$t.s_c1.sse");;
    s_c*)   body=$T_BODY_S;  local c=${s#s_c}
            args=(--stream -c "$c" -d "$DUR" --warmup $((c < 8 ? 8 : c)) --max-time "$(( ${DUR%.*} + 60 ))");;
    lin_1x) body=$T_BODY_S;  args=(--stream -c 8 -d "$DUR" --warmup 8 --max-time "$(( ${DUR%.*} + 60 ))");;
    lin_2x) body=$BODY2X;    args=(--stream -c 8 -d "$DUR" --warmup 8 --max-time "$(( ${DUR%.*} + 60 ))");;
    *) die "unknown scenario $s";;
  esac
  line=$("$BENCH/harness/bench.sh" --target "$T_URL" --path "$T_PATH" --body "$body" "${T_HDRS[@]}" \
         --pid "$pid" "${mp[@]}" --name "$t" --quiet-wait "$QUIET_WAIT" "${args[@]}")
  emit "$line" kind=run target="$t" scenario="$s" round="$r"
  python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print("%s r%s %-10s %-7s rps=%-8s p50=%-7s ok=%-6s err=%s cpu_ms/req=%s foreign=%s%%" % (sys.argv[2], sys.argv[3], d.get("name"), sys.argv[4], d.get("rps"), (d.get("total_ms") or {}).get("p50"), d.get("ok"), d.get("errors"), d.get("cpu_s_per_1k"), d.get("foreign_cpu_pct")))' \
    "$line" "$(date +%T)" "$r" "$s" >&2
  if [[ $s == s_c1 && $r == 1 ]]; then   # the captured stream must be a correct, complete stream
    local v
    v=$(python3 "$BENCH/harness/validate_sse.py" --format "$T_FMT" --chunks 200 "$SAMPLES/$t.s_c1.sse" 2>/dev/null | tail -1) || true
    [[ "$v" == "{"* ]] || v='{"ok":false,"problems":["validate_sse.py printed no result"]}'
    emit "$v" kind=check check=stream target="$t"
  fi
}

scenarios_for() {  # scenarios_for TARGET ROUND
  case "$1" in
    direct) echo "ns_c1 s_c1";;
    switchyard) if (( $2 % 2 )); then echo "ns_c1 s_c1 s_c8 s_c32 s_c128 lin_1x lin_2x"
                else echo "ns_c1 s_c1 s_c8 s_c32 s_c128 lin_2x lin_1x"; fi;;
    *) echo "ns_c1 s_c1 s_c8 s_c32 s_c128";;
  esac
}

n=${#TARGETS[@]}
for ((r = 1; r <= ROUNDS; r++)); do
  log "round $r of $ROUNDS"
  for ((k = 0; k < n; k++)); do
    t=${TARGETS[$(((k + r - 1) % n))]}
    for s in $(scenarios_for "$t" "$r"); do run_one "$t" "$s" "$r"; done
  done
done
sleep 2
idle_snapshot idle_after_load

# The usage log must be the one in the run directory (no user data touched) and must have been written.
USAGE_DB="$(find "$RUN/switchyard" -name 'usage.sqlite' -print -quit 2>/dev/null || true)"
USAGE_ROWS="$( [[ -n "$USAGE_DB" ]] && python3 -c 'import sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True, timeout=10)
print(db.execute("SELECT COUNT(*) FROM requests").fetchone()[0])' "$USAGE_DB" 2>/dev/null || echo 0)"
if [[ -n "$USAGE_DB" && "$USAGE_ROWS" -gt 0 ]]; then
  emit '{"kind":"check","check":"usage_log","ok":true}' "path=${USAGE_DB#"$RUN"/}" "rows=$USAGE_ROWS"
else
  emit '{"kind":"check","check":"usage_log","ok":false}'
  note "no usage log found in the run directory (see logs/switchyard.log)"
fi
if grep -qi 'usage is not logged' "$RUN/switchyard.log" 2>/dev/null; then note "switchyard: usage is not logged (see logs/switchyard.log)"; fi

T_END=$(date +%s)
emit '{"kind":"end"}' "elapsed_s=$((T_END - T_START))" "finished=$(date -u -Is)"

# --- 7. report ----------------------------------------------------------------------------------------------
MICRO_ARGS=()
[[ -s "$OUT/micro.json" ]] && MICRO_ARGS=(--micro "$OUT/micro.json")
python3 "$HERE/loadreport.py" report "$RAW" "${MICRO_ARGS[@]}" -o "$OUT/report.md"
if [[ $UPDATE_DOC == 1 ]]; then
  cp -f "$OUT/report.md" "$HERE/benchmarks.md"
  log "updated $HERE/benchmarks.md"
fi
log "done in $((T_END - T_START)) s; raw lines: $RAW"
echo "$OUT/report.md"
