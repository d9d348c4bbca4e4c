#!/usr/bin/env bash
# Wrapper for CTest: run_acceptance.sh through_gateway CLIENT SCENARIO KIND | account ACCOUNT CLIENT SCENARIO |
#                   replay KIND | usage
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
  account)
    # A real client through an OAuth *account* (imported as `switchyard account import` does): ACCOUNT is chatgpt
    # (the Codex backend's Responses dialect, served by the mock as /v1/responses) or claude (Anthropic with the
    # bearer token and the OAuth beta). The mock checks that the account's token arrives.
    account="$1"; client="$2"; scenario="$3"
    work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
    export XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" SWITCHYARD_SECRET_STORE=file
    printf '{"providers":[],"routes":[],"oauth":{"claude":{"userinfo_url":""}}}' >"$work/import-config.json"
    case "$account" in
      chatgpt)
        b64() { python3 -c 'import base64,sys; print(base64.urlsafe_b64encode(sys.argv[1].encode()).decode().rstrip("="))' "$1"; }
        idt="$(b64 '{"alg":"none"}').$(b64 '{"email":"acceptance@example.com","https://api.openai.com/auth":{"chatgpt_account_id":"acct-acc","chatgpt_plan_type":"plus"}}').sig"
        printf '{"tokens":{"id_token":"%s","access_token":"acct-access-token-1","refresh_token":"rt-acceptance","account_id":"acct-acc"}}' \
          "$idt" >"$work/creds.json"
        source=codex kind=openai-responses ;;
      claude)
        printf '{"claudeAiOauth":{"accessToken":"sk-ant-oat01-acceptance","refreshToken":"sk-ant-ort01-acceptance","expiresAt":4102444800000,"scopes":["user:inference"],"subscriptionType":"max"}}' \
          >"$work/creds.json"
        source=claude kind=anthropic ;;
      *) echo "unknown account kind $account" >&2; exit 2 ;;
    esac
    "$SWITCHYARD_BIN" account import "$source" --from "$work/creds.json" --config "$work/import-config.json" \
      >"$work/import.out" 2>&1 || { cat "$work/import.out"; exit 1; }
    export SY_REQUIRE_ROUTED_MODEL=1
    SY_CONFIG_TEMPLATE="$(dirname "$0")/configs/$account-account.json" "$A/through_gateway.sh" "$client" "$scenario" "$kind"
    exit $? ;;
  usage)
    [ -f "${SWITCHYARD_USAGE_DB:-}" ] || { echo "SKIP: no acceptance run wrote $SWITCHYARD_USAGE_DB"; exit 77; }
    "$SWITCHYARD_BIN" usage --since 1d --by client --json --limit 5000 >"${SY_ACCEPT_LOGS:-.}/usage.json" || exit 1
    python3 - "${SY_ACCEPT_LOGS:-.}/usage.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
rows = report["requests"]
total = report["total"]
print("usage: %d requests, %d errors, %d input / %d output tokens, cost %s over %d groups"
      % (total["requests"], total["errors"], total["input_tokens"], total["output_tokens"], total["cost_usd"],
         len(report["groups"])))
assert total["requests"] > 0 and rows, "no requests in the usage log"
with_tokens = [r for r in rows if r["output_tokens"] > 0 and r["input_tokens"] >= 0]
assert with_tokens, "no request has tokens"
priced = [r for r in rows if r["cost_usd"] is not None and r["cost_usd"] > 0]
assert priced, "no request has a cost (the account configs price mock-large)"
clients = sorted({r["client"] for r in rows if r["client"]})
print("clients seen:", ", ".join(clients))
print("a priced row:", {k: priced[0][k] for k in ("time", "client", "provider", "model", "input_tokens", "output_tokens", "cost_usd")})
PY
    exit $? ;;
  replay)
    [ -x "$A/replay/replay_bar.sh" ] || { echo "SKIP: no replay bar"; exit 77; }
    # The bar ends with "N passed, N failed"; keep that line out of CTest's own summary parsing by prefixing it.
    "$A/replay/replay_bar.sh" "$@" 2>&1 | sed 's/^\([0-9]* passed, [0-9]* failed\)$/replay: \1/'
    exit "${PIPESTATUS[0]}" ;;
  *) echo "usage: $0 through_gateway CLIENT SCENARIO KIND | replay KIND" >&2; exit 2 ;;
esac
