#!/usr/bin/env bash
# run_fuzzers.sh - builds the libFuzzer targets (clang, ASan + UBSan) and runs each for a while.
#
#   tests/fuzz/run_fuzzers.sh [SECONDS_PER_TARGET] [TARGET...]     (default 60 s; all of fuzz_json fuzz_requests
#                                                                   fuzz_streams fuzz_config)
#
# Seeds come from ../shared/fixtures/upstream (bodies, SSE streams, and each stream's data lines) plus the starter
# config and the committed seeds in tests/fuzz/seeds/<target>/. The growing corpora and any crash files live in
# build-fuzz/corpus/<target>/ and build-fuzz/artifacts/ (not committed). A crash stops that target and the script
# exits non-zero; turn each crash into a regression test (the input file is the test data).
# Env: CC/CXX (default clang/clang++), BUILD_DIR (default <repo>/build-fuzz), SWITCHYARD_SHARED_DIR, JOBS.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
SHARED="${SWITCHYARD_SHARED_DIR:-$REPO/../shared}"
BUILD="${BUILD_DIR:-$REPO/build-fuzz}"
SECONDS_PER="${1:-60}"
shift || true
TARGETS=("$@")
[[ ${#TARGETS[@]} -gt 0 ]] || TARGETS=(fuzz_json fuzz_requests fuzz_streams fuzz_config)

cmake -S "$REPO" -B "$BUILD" -G Ninja -DCMAKE_C_COMPILER="${CC:-clang}" -DCMAKE_CXX_COMPILER="${CXX:-clang++}" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSWITCHYARD_BUILD_FUZZERS=ON -DSWITCHYARD_BUILD_UI=OFF \
    -DSWITCHYARD_BUILD_TESTS=OFF -DSWITCHYARD_BUILD_BENCH=OFF >/dev/null
ninja -C "$BUILD" -j "${JOBS:-2}" "${TARGETS[@]}"

# Seeds: one file per input, prefixed with the selector bytes each target reads first.
python3 - "$SHARED/fixtures/upstream" "$REPO" "$BUILD/seeds" <<'PY'
import os, sys, hashlib
fixtures, repo, out = sys.argv[1:4]
def put(target, data):
    d = os.path.join(out, target); os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), 'wb') as f: f.write(data)
dialect_stream = {'openai-chat': 0, 'openai-responses': 1, 'gemini': 2, 'anthropic': 4}
for dialect in sorted(os.listdir(fixtures)):
    path = os.path.join(fixtures, dialect)
    if not os.path.isdir(path) or dialect == 'LICENSES': continue
    for name in sorted(os.listdir(path)):
        data = open(os.path.join(path, name), 'rb').read()
        if name.endswith('.json'):
            put('fuzz_json', data)
            if dialect == 'gemini': put('fuzz_streams', bytes([3, 0]) + data)
        elif name.endswith('.sse') or name.endswith('.chunks.txt'):
            if dialect in dialect_stream:
                sel = dialect_stream[dialect]
                put('fuzz_streams', bytes([sel | 0x80, 0]) + data)
                put('fuzz_streams', bytes([sel, 8]) + bytes([7, 31, 3, 200, 1, 64, 15, 90]) + data)
            for line in data.split(b'\n'):
                if line.startswith(b'data: ') and len(line) > 8: put('fuzz_json', line[6:])
bench = os.path.expanduser('~/.cache/switchyard-bench/bodies')
if os.path.isdir(bench):
    for name in sorted(os.listdir(bench)):
        data = open(os.path.join(bench, name), 'rb').read()
        if name.startswith('anthropic'):
            put('fuzz_requests', bytes([0]) + data); put('fuzz_requests', bytes([1]) + data)
        elif name.startswith('openai'):
            put('fuzz_requests', bytes([2]) + data)
starter = os.path.join(repo, 'resources', 'starter-config.json')
if os.path.exists(starter): put('fuzz_config', open(starter, 'rb').read())
PY

mkdir -p "$BUILD/artifacts"
status=0
for t in "${TARGETS[@]}"; do
    corpus="$BUILD/corpus/$t"
    mkdir -p "$corpus"
    seeds=("$BUILD/seeds/$t")
    [[ -d "$HERE/seeds/$t" ]] && seeds+=("$HERE/seeds/$t")
    existing=()
    for s in "${seeds[@]}"; do [[ -d "$s" ]] && existing+=("$s"); done
    echo "== $t: ${SECONDS_PER} s"
    if ! "$BUILD/tests/fuzz/$t" "$corpus" "${existing[@]}" -max_total_time="$SECONDS_PER" -timeout=10 -rss_limit_mb=4096 \
        -max_len=262144 -artifact_prefix="$BUILD/artifacts/$t-" -print_final_stats=1 2>"$BUILD/$t.log"; then
        status=1
        echo "   CRASH: see $BUILD/$t.log and $BUILD/artifacts/"
    fi
    grep -E "stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb" "$BUILD/$t.log" | sed 's/^/   /' || true
done
exit $status
