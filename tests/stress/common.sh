# common.sh - sourced by soak.sh and crashsafety.sh: the private run directory, the fault-injecting mock upstream,
# the gateway's config, starting/stopping the gateway, and cleanup of everything started here.
#
# Everything runs on 127.0.0.1 with ports the OS picks (the gateway listens on 127.0.0.1:0 and reports its port
# through --port-file; the mock binds port 0 and writes a port file). The gateway runs with HOME and the XDG
# directories inside the run directory and SWITCHYARD_SECRET_STORE=memory, so it never touches the user's config,
# data or keychain; its usage log is the default one, <run>/home/data/switchyard/usage.sqlite.
# shellcheck shell=bash

STRESS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$STRESS_DIR/../.." && pwd)"

log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }
die() { echo "$(basename "$0"): $*" >&2; exit 1; }

command -v python3 >/dev/null || die "python3 is not installed"

# --- the switchyard binary: $SWITCHYARD_BIN, else a Release headless build in $SWITCHYARD_STRESS_BUILD_DIR ---------
find_switchyard() {
  if [[ -n "${SWITCHYARD_BIN:-}" ]]; then
    [[ -x "$SWITCHYARD_BIN" ]] || die "SWITCHYARD_BIN=$SWITCHYARD_BIN is not an executable"
  else
    local b="${SWITCHYARD_STRESS_BUILD_DIR:-$REPO/build-stress}"
    log "SWITCHYARD_BIN is not set: building a Release switchyard (no UI) in $b"
    command -v cmake >/dev/null || die "cmake is not installed (or set SWITCHYARD_BIN)"
    cmake -S "$REPO" -B "$b" -DCMAKE_BUILD_TYPE=Release -DSWITCHYARD_BUILD_UI=OFF >&2
    cmake --build "$b" --target switchyard -j "$(nproc)" >&2
    SWITCHYARD_BIN="$b/app/switchyard"
  fi
  SWITCHYARD_BIN="$(cd "$(dirname "$SWITCHYARD_BIN")" && pwd)/$(basename "$SWITCHYARD_BIN")"
  export SWITCHYARD_BIN
}

# --- run directory and cleanup --------------------------------------------------------------------------------------
RUN=""; KEEP_RUN=0; MOCK_PID=""; GW_PID=""; LOAD_PID=""; SAMPLER_PID=""
make_run_dir() {  # make_run_dir NAME
  RUN="$(mktemp -d "${TMPDIR:-/tmp}/switchyard-$1.XXXXXX")"
  mkdir -p "$RUN/home/config" "$RUN/home/data" "$RUN/home/cache" "$RUN/runtime"
  chmod 700 "$RUN/runtime"
  # shellcheck disable=SC2034  # used by the sourcing scripts
  USAGE_DB="$RUN/home/data/switchyard/usage.sqlite"
}

stop_pid() {  # stop_pid PID [SIGNAL]: SIGNAL (TERM), up to 10 s, then KILL. Only PIDs this script started.
  local p=$1 sig=${2:-TERM}
  [[ -n "$p" ]] || return 0
  kill -0 "$p" 2>/dev/null || return 0
  kill "-$sig" "$p" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$p" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  stop_pid "$LOAD_PID"; stop_pid "$SAMPLER_PID"; stop_pid "$GW_PID"; stop_pid "$MOCK_PID"
  wait 2>/dev/null
  if [[ -n "$RUN" && -d "$RUN" ]]; then
    if [[ -n "${OUT:-}" && -d "${OUT:-}" ]]; then
      cp -f "$RUN"/*.log "$OUT/" 2>/dev/null
    fi
    if [[ $KEEP_RUN == 1 ]]; then echo "run directory kept: $RUN" >&2; else rm -rf "$RUN"; fi
  fi
  exit "$rc"
}
install_traps() {
  trap cleanup EXIT
  trap 'echo "$(basename "$0"): interrupted" >&2; exit 130' INT
  trap 'echo "$(basename "$0"): terminated" >&2; exit 143' TERM
}

wait_file() {  # wait_file FILE SECONDS PID: FILE becomes non-empty while PID runs
  local f=$1 t=$2 p=$3 i
  for ((i = 0; i < t * 10; i++)); do
    [[ -s "$f" ]] && return 0
    kill -0 "$p" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# --- the mock upstream ------------------------------------------------------------------------------------------------
start_mock() {  # start_mock FAULT_RATE [extra faultmock.py args...]
  local rate=$1; shift
  rm -f "$RUN/mock.port"
  python3 "$STRESS_DIR/faultmock.py" --port 0 --port-file "$RUN/mock.port" --fault-rate "$rate" \
    --stats "$RUN/mock-stats.json" "$@" > "$RUN/mock.log" 2>&1 &
  MOCK_PID=$!
  wait_file "$RUN/mock.port" 10 "$MOCK_PID" || die "the mock upstream did not start (log: $RUN/mock.log)"
  MOCK_PORT="$(cat "$RUN/mock.port")"
}

# --- the gateway's config: two OpenAI Chat providers and two Anthropic providers on the mock, each with a pool of
# fake keys; every route has a fallback on the other provider of its kind. Short upstream timeouts bound the stalls.
write_config() {  # write_config KEYS_PER_PROVIDER IDLE_MS TOTAL_MS
  local keys=$1 idle=$2 total=$3
  python3 - "$RUN/config.json" "$MOCK_PORT" "$keys" "$idle" "$total" <<'EOF'
import json, sys
path, port, keys, idle, total = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
def provider(pid, kind, base, model):
    return {"id": pid, "kind": kind, "base_url": base, "models": [model],
            "credentials": [{"id": "%s-k%02d" % (pid, i), "api_key": "test-key-%s-%02d" % (pid, i)} for i in range(1, keys + 1)],
            "timeouts": {"connect_ms": 1000, "idle_ms": idle, "total_ms": total}}
u = "http://127.0.0.1:%d" % port
cfg = {"version": 1, "server": {"listen": "127.0.0.1:0"},
       "providers": [provider("chat-a", "openai-chat", u + "/chat-a/v1", "mock"),
                     provider("chat-b", "openai-chat", u + "/chat-b/v1", "mock"),
                     provider("anth-a", "anthropic", u + "/anth-a", "claude-mock"),
                     provider("anth-b", "anthropic", u + "/anth-b", "claude-mock")],
       "routes": [{"match": "soak-chat", "to": ["chat-a/mock", "chat-b/mock"]},
                  {"match": "soak-pass", "to": ["anth-a/claude-mock", "anth-b/claude-mock"]}]}
with open(path, "w") as f:
    json.dump(cfg, f, indent=1)
EOF
}

# --- the gateway ---------------------------------------------------------------------------------------------------------
start_gateway() {  # start_gateway LOGNAME: starts switchyard --headless on the run dir; sets GW_PID and GW_PORT;
                   # returns 1 (after printing the log's tail) when it does not come up
  local logname=${1:-switchyard}
  rm -f "$RUN/gw.port"
  ( cd "$RUN" || exit 1
    HOME="$RUN/home" XDG_CONFIG_HOME="$RUN/home/config" XDG_DATA_HOME="$RUN/home/data" \
    XDG_CACHE_HOME="$RUN/home/cache" XDG_RUNTIME_DIR="$RUN/runtime" SWITCHYARD_SECRET_STORE=memory \
    NO_PROXY="127.0.0.1,localhost" no_proxy="127.0.0.1,localhost" \
    exec env -u SWITCHYARD_USAGE_DB -u http_proxy -u https_proxy -u HTTP_PROXY -u HTTPS_PROXY \
      "$SWITCHYARD_BIN" --headless --config "$RUN/config.json" --listen 127.0.0.1:0 --port-file "$RUN/gw.port"
  ) >> "$RUN/$logname.log" 2>&1 &
  GW_PID=$!
  if ! wait_file "$RUN/gw.port" 20 "$GW_PID"; then
    tail -n 20 "$RUN/$logname.log" >&2; echo "switchyard did not start" >&2; return 1
  fi
  GW_PORT="$(tr -dc 0-9 < "$RUN/gw.port")"
  local i
  for ((i = 0; i < 100; i++)); do (echo > "/dev/tcp/127.0.0.1/$GW_PORT") 2>/dev/null && return 0; sleep 0.1; done
  echo "switchyard port $GW_PORT does not accept connections" >&2; return 1
}

gw_rss_kb() { awk '/^VmRSS/{print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
gw_fds() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
