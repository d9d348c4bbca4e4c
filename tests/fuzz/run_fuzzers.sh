#!/usr/bin/env bash
# run_fuzzers.sh - builds the libFuzzer targets (clang, ASan + UBSan) and runs each for a while.
#
#   tests/fuzz/run_fuzzers.sh [SECONDS_PER_TARGET] [TARGET...]     (default 60 s; all of fuzz_json fuzz_requests
#                                                                   fuzz_streams fuzz_config fuzz_http)
#   RUNS=10000000 tests/fuzz/run_fuzzers.sh 0 fuzz_json             (until 10M executions, no time limit)
#
# Seeds come from ../shared/fixtures/upstream (bodies, SSE streams, and each stream's data lines) plus the starter
# config and the committed seeds in tests/fuzz/seeds/<target>/. The growing corpora and any crash files live in
# build-fuzz/corpus/<target>/ and build-fuzz/artifacts/ (not committed). A crash stops that target and the script
# exits non-zero; turn each crash into a regression test (the input file is the test data).
# Inputs are capped at MAX_LEN bytes (default 16384: small inputs run fast, and the decoders' interesting states are
# reachable well below that).
# ASan records no allocation stacks by default here (malloc_context_size=0: fuzz_http runs 1.7x faster); a report
# then lacks the "allocated by" stack, so replay a crash file with ASAN_OPTIONS= set to get it:
#   ASAN_OPTIONS= build-fuzz/tests/fuzz/fuzz_streams build-fuzz/artifacts/fuzz_streams-crash-...
# Env: CC/CXX (default clang/clang++), BUILD_DIR (default <repo>/build-fuzz), SWITCHYARD_SHARED_DIR, JOBS, RUNS,
#      MAX_LEN, ASAN_OPTIONS.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
SHARED="${SWITCHYARD_SHARED_DIR:-$REPO/../shared}"
BUILD="${BUILD_DIR:-$REPO/build-fuzz}"
SECONDS_PER="${1:-60}"
shift || true
TARGETS=("$@")
[[ ${#TARGETS[@]} -gt 0 ]] || TARGETS=(fuzz_json fuzz_requests fuzz_streams fuzz_config fuzz_http)

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
# Small requests of each dialect (the big bench bodies make slow inputs): tools, images, thinking, tool results.
import json
tool = {"name": "get_weather", "description": "w", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}
anth = {"model": "claude-sonnet-4-5", "max_tokens": 64, "stream": True, "system": [{"type": "text", "text": "be brief", "cache_control": {"type": "ephemeral"}}],
        "tools": [tool], "tool_choice": {"type": "auto"}, "thinking": {"type": "enabled", "budget_tokens": 1024}, "metadata": {"user_id": "u"},
        "messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}, {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}}]},
                     {"role": "assistant", "content": [{"type": "thinking", "thinking": "t", "signature": "c2ln"}, {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Oslo"}}]},
                     {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": [{"type": "text", "text": "5C"}], "is_error": False}]}]}
chat = {"model": "gpt-4o", "stream": True, "stream_options": {"include_usage": True}, "max_completion_tokens": 64, "temperature": 0.2, "stop": ["x"],
        "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": tool["input_schema"]}}], "tool_choice": "auto", "response_format": {"type": "json_object"},
        "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": [{"type": "text", "text": "hi"}, {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}]},
                     {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Oslo\"}"}}]},
                     {"role": "tool", "tool_call_id": "call_1", "content": "5C"}]}
resp = {"model": "gpt-5", "stream": True, "instructions": "be brief", "max_output_tokens": 64, "reasoning": {"effort": "low"},
        "tools": [{"type": "function", "name": "get_weather", "parameters": tool["input_schema"]}],
        "input": [{"role": "user", "content": [{"type": "input_text", "text": "hi"}]}, {"type": "function_call", "call_id": "c1", "name": "get_weather", "arguments": "{}"},
                  {"type": "function_call_output", "call_id": "c1", "output": "5C"}]}
gem = {"systemInstruction": {"parts": [{"text": "be brief"}]}, "generationConfig": {"maxOutputTokens": 64, "thinkingConfig": {"thinkingBudget": 128}},
       "tools": [{"functionDeclarations": [{"name": "get_weather", "parameters": tool["input_schema"]}]}],
       "contents": [{"role": "user", "parts": [{"text": "hi"}, {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}}]},
                    {"role": "model", "parts": [{"functionCall": {"name": "get_weather", "args": {"city": "Oslo"}}}]},
                    {"role": "user", "parts": [{"functionResponse": {"name": "get_weather", "response": {"t": "5C"}}}]}]}
for sel, body in ((0, anth), (1, anth), (2, chat), (3, resp), (4, gem)):
    put('fuzz_requests', bytes([sel]) + json.dumps(body).encode())
# Raw HTTP requests: keep-alive, pipelining, chunked with a trailer, Expect, HEAD, absolute-form, HTTP/1.0.
body = json.dumps(anth).encode()
for raw in (b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
            b"POST /v1/messages?beta=true HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body,
            b"POST /s HTTP/1.1\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n5\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n",
            b"HEAD /h HTTP/1.1\r\n\r\nGET /e HTTP/1.1\r\nX-Message: no\r\n\r\nGET /s?q=1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
            b"GET http://localhost:3790/v1/models?x#f HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
            b"OPTIONS * HTTP/1.1\r\nOrigin: https://evil.example\r\nAccess-Control-Request-Method: POST\r\n\r\n"):
    put('fuzz_http', raw)
starter = os.path.join(repo, 'resources', 'starter-config.json')
if os.path.exists(starter): put('fuzz_config', open(starter, 'rb').read())
PY

mkdir -p "$BUILD/artifacts"
export ASAN_OPTIONS="${ASAN_OPTIONS-malloc_context_size=0}"
status=0
for t in "${TARGETS[@]}"; do
    corpus="$BUILD/corpus/$t"
    mkdir -p "$corpus"
    seeds=("$BUILD/seeds/$t")
    [[ -d "$HERE/seeds/$t" ]] && seeds+=("$HERE/seeds/$t")
    existing=()
    for s in "${seeds[@]}"; do [[ -d "$s" ]] && existing+=("$s"); done
    echo "== $t: ${SECONDS_PER} s${RUNS:+, at most $RUNS runs}"
    limits=(-max_total_time="$SECONDS_PER")
    [[ -n "${RUNS:-}" ]] && limits+=(-runs="$RUNS")
    if ! "$BUILD/tests/fuzz/$t" "$corpus" "${existing[@]}" "${limits[@]}" -timeout=10 -rss_limit_mb=4096 \
        -max_len="${MAX_LEN:-16384}" -artifact_prefix="$BUILD/artifacts/$t-" -print_final_stats=1 2>"$BUILD/$t.log"; then
        status=1
        echo "   CRASH: see $BUILD/$t.log and $BUILD/artifacts/"
    fi
    grep -E "stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb" "$BUILD/$t.log" | sed 's/^/   /' || true
done
exit $status
