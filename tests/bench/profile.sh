#!/usr/bin/env bash
# profile.sh - where a translated streamed request spends its CPU: starts the shared mock and switchyard --headless
# on free loopback ports, drives streamed 57 KB requests through it, and prints
#   1. CPU per thread group (perf, software clock): the gateway's worker threads vs Qt's network threads,
#   2. CPU per library and the hottest symbols,
#   3. system calls per request (strace -c over a fixed number of requests).
#
#   SWITCHYARD_BIN=build-rel/app/switchyard tests/bench/profile.sh [-c CONCURRENCY] [-d SECONDS] [-n STRACE_REQUESTS]
#
# Needs perf and strace (Debian: linux-perf, strace); either is skipped with a note when missing. Everything it
# starts is stopped on exit. Numbers are for reading, not for asserting: see loadbench.sh for the benchmark.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
SHARED="${SWITCHYARD_SHARED_DIR:-$REPO/../shared}"
BENCH="$SHARED/bench"
CONC=8; DUR=5; NSTRACE=100
while [[ $# -gt 0 ]]; do
  case "$1" in
    -c) CONC="$2"; shift 2;;
    -d) DUR="$2"; shift 2;;
    -n) NSTRACE="$2"; shift 2;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0;;
    *) echo "profile.sh: unknown option $1" >&2; exit 2;;
  esac
done
: "${SWITCHYARD_BIN:?set SWITCHYARD_BIN to a Release switchyard executable}"

"$BENCH/build.sh" >/dev/null
CACHE="${SY_BENCH_DIR:-$HOME/.cache/switchyard-bench}"
BODY="$CACHE/bodies/anthropic_stream.json"
RUN="$(mktemp -d)"
export SY_BENCH_RUN="$RUN" BENCH_RUN="$RUN" PORTS=auto SWITCHYARD_BIN SWITCHYARD_SECRET_STORE=memory
cleanup() { "$BENCH/harness/peers.sh" stop >/dev/null 2>&1 || true; rm -rf "$RUN"; }
trap cleanup EXIT INT TERM
"$BENCH/harness/peers.sh" start mock switchyard >/dev/null
# shellcheck disable=SC1091
source "$RUN/ports.env"
PID="$(cat "$RUN/switchyard.pid")"
URL="http://127.0.0.1:$SWITCHYARD_PORT/v1/messages"
HB="$CACHE/bin/hb"
load() { "$HB" --url "$URL" --body "$BODY" -H 'anthropic-version: 2023-06-01' -H 'x-api-key: sk-bench' "$@"; }
load -c 4 -n 40 --warmup 0 --max-time 60 >/dev/null # warm up: connections, upstream pool, first-use allocations

if command -v perf >/dev/null 2>&1; then
  perf record -q -e cpu-clock -F 4000 -o "$RUN/perf.data" -p "$PID" -- sleep "$((DUR + 1))" >/dev/null 2>&1 &
  PERF=$!
  sleep 0.5
  load -c "$CONC" -d "$DUR" --max-time "$((DUR + 30))" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print("load: c=%s %s req/s, %s ok" % (d["concurrency"], d["rps"], d["ok"]))'
  wait "$PERF" || true
  # Threads are named: http-worker-N (the gateway), QNetworkAccessM (Qt's HTTP thread per network manager),
  # usage-writer (SQLite), switchyard (accepting).
  echo; echo "== CPU by thread name"
  perf report -i "$RUN/perf.data" --no-children --sort comm -g none 2>/dev/null | grep -v '^#' | grep -v '^$' |
    awk '{ name=$2; for (i=3;i<=NF;i++) name=name" "$i; if (name ~ /^:/) name="QNetworkAccessManager thread"; sum[name]+=$1 }
         END { for (n in sum) printf "%6.1f%%  %s\n", sum[n], n }' | sort -rn || true
  echo; echo "== CPU by library"
  perf report -i "$RUN/perf.data" --no-children --sort dso -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -8 || true
  echo; echo "== hottest symbols"
  perf report -i "$RUN/perf.data" --no-children --sort dso,symbol -g none 2>/dev/null | grep -v '^#' | grep -v '^$' |
    head -25 | cut -c1-140 || true
else
  echo "perf not found (apt-get install linux-perf): no CPU profile"
fi

if command -v strace >/dev/null 2>&1; then
  strace -f -c -p "$PID" -o "$RUN/strace.txt" 2>/dev/null &
  STRACE=$!
  sleep 1
  load -c 1 -n "$NSTRACE" --warmup 0 --max-time 120 >/dev/null
  sleep 0.5
  kill -INT "$STRACE" 2>/dev/null || true
  wait "$STRACE" 2>/dev/null || true
  echo; echo "== system calls per request (strace -c over $NSTRACE streamed requests, all threads)"
  awk -v n="$NSTRACE" '$1 ~ /^[0-9.]+$/ && NF >= 5 { calls=$4; name=$NF; if ($5 ~ /^[0-9]+$/) name=$6;
       if (name != "total") printf "%10.1f  %s\n", calls / n, name }' "$RUN/strace.txt" | sort -rn | head -8 || true
else
  echo "strace not found (apt-get install strace): no system call counts"
fi
