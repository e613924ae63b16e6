#!/usr/bin/env bash
# Load test of `nat serve` on loopback. Not part of `cargo test`.
#
# Builds release, starts the demo target and `nat serve --workers 1` (127.0.0.1:0, a temp data dir, one
# `scan` key), creates one scan of the demo target and waits for it, then runs wrk against
#   - the demo target's GET /api/v1/health (a trivial warp handler: the baseline, same wrk settings),
#   - GET  /api/v1/scans/{id}  (API key check, rate-limit headers, store read, JSON),
#   - POST /api/v1/scans       (validation, target check, store write + flush, queue: real scans!),
# and prints requests/s, p99 latency, the ratio to the baseline, and the server's RSS (VmRSS, VmHWM)
# at rest and under load. POST overloads the server on purpose (one worker, scans of several seconds):
# once --max-queued (MAX_QUEUED, default 100) scans wait, it answers 503 queue-full; the share of 201
# and 503 answers is printed.
#
# Needs wrk (Debian: apt-get install -y wrk) and curl. Settings: DURATION (5s), THREADS (2),
# CONNECTIONS (32). Honours CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-5s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
MAX_QUEUED=${MAX_QUEUED:-100}

for tool in wrk curl; do
    command -v "$tool" >/dev/null || { echo "benches/server.sh needs $tool (apt-get install -y $tool)" >&2; exit 2; }
done

cargo build --release --quiet
NAT="${CARGO_TARGET_DIR:-target}/release/nat"

WORK=$(mktemp -d)
PIDS=()
cleanup() {
    local pid i alive
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for i in $(seq 100); do    # up to 10 s for a clean shutdown, then SIGKILL
        alive=0
        for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ "$alive" = 0 ] && break
        sleep 0.1
    done
    for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

# The rest of the first line of FILE that starts with PREFIX, waiting up to 15 s.
line_of() {
    local file=$1 prefix=$2 i
    for i in $(seq 150); do
        if grep -q "^$prefix" "$file" 2>/dev/null; then
            sed -n "s|^$prefix||p" "$file" | head -n1
            return
        fi
        sleep 0.1
    done
    echo "no line '$prefix' in $file" >&2
    exit 3
}

rss() { awk '/^VmRSS|^VmHWM/ { printf "%s %d MiB  ", $1, $2 / 1024 }' "/proc/$1/status"; }

KEY=$("$NAT" keys create --name bench --role scan --data-dir "$WORK/data" 2>/dev/null | tail -n1)

"$NAT" demo --target-only --bind 127.0.0.1:0 >"$WORK/demo.out" 2>/dev/null &
PIDS+=($!)
# Per-request log lines go to /dev/null, as they would go to a log collector.
"$NAT" serve --bind 127.0.0.1:0 --data-dir "$WORK/data" --workers 1 --max-queued "$MAX_QUEUED" \
    >"$WORK/serve.out" 2>/dev/null &
SERVER=$!
PIDS+=($SERVER)

TARGET=$(line_of "$WORK/demo.out" "nat demo target listening on ")
TOKEN=$(line_of "$WORK/demo.out" "bearer token of the demo user: ")
API=$(line_of "$WORK/serve.out" "nat serve listening on ")

BODY="{\"url\":\"$TARGET\",\"auth\":{\"type\":\"bearer\",\"token\":\"$TOKEN\"}}"
ID=$(curl -sf -X POST "$API/scans" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    -d "$BODY" | sed -n 's/.*"scan_id":"\([^"]*\)".*/\1/p')
for i in $(seq 300); do
    STATUS=$(curl -sf "$API/scans/$ID" -H "Authorization: Bearer $KEY" | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p')
    [ "$STATUS" = complete ] && break
    [ "$STATUS" = failed ] && { echo "the scan of the demo target failed" >&2; exit 3; }
    sleep 0.1
done
echo "scan $ID of the demo target: $STATUS"

cat >"$WORK/get.lua" <<EOF
wrk.headers["Authorization"] = "Bearer $KEY"
EOF
cat >"$WORK/post.lua" <<EOF
wrk.method = "POST"
wrk.body = '$BODY'
wrk.headers["Authorization"] = "Bearer $KEY"
wrk.headers["Content-Type"] = "application/json"
-- Count answers by status over all threads.
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
    local total = {}
    for _, t in ipairs(threads) do
        for status, n in pairs(t:get("statuses")) do total[status] = (total[status] or 0) + n end
    end
    for status, n in pairs(total) do io.write(string.format("status %d %d\n", status, n)) end
end
EOF

REST=$(rss "$SERVER")

# Runs wrk; prints "requests/s p99 non-2xx" and records the server's RSS halfway through.
load() {
    local name=$1; shift
    ( sleep "$(( ${DURATION%s} / 2 ))"; rss "$SERVER" >"$WORK/rss-$name" ) &
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" >"$WORK/wrk-$name" 2>&1
    wait $!
    local rps p99 errors
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$WORK/wrk-$name")
    p99=$(awk '$1 == "99%" { print $2 }' "$WORK/wrk-$name")
    errors=$(awk '/Non-2xx or 3xx responses:/ { print $5 }' "$WORK/wrk-$name")
    echo "$rps $p99 ${errors:-0}"
}

read -r H_RPS H_P99 H_ERR < <(load health "$TARGET/api/v1/health")
read -r G_RPS G_P99 G_ERR < <(load get -s "$WORK/get.lua" "$API/scans/$ID")
AFTER_GET=$(rss "$SERVER")
read -r P_RPS P_P99 P_ERR < <(load post -s "$WORK/post.lua" "$API/scans")
AFTER_POST=$(rss "$SERVER")
count() { awk -v s="$1" '$1 == "status" && $2 == s { n += $3 } END { print n + 0 }' "$WORK/wrk-post"; }
P_201=$(count 201)
P_503=$(count 503)
P_ALL=$(awk '$1 == "status" { n += $3 } END { print n + 0 }' "$WORK/wrk-post")
QUEUED=$(curl -sf "$API/scans?status=queued&per_page=1" -H "Authorization: Bearer $KEY" | sed -n 's/.*"total":\([0-9]*\).*/\1/p')

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

echo
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION on loopback, $(nproc) cores; nat serve --workers 1 --max-queued $MAX_QUEUED"
printf '%-32s %12s %10s %8s %10s\n' "endpoint" "requests/s" "p99" "non-2xx" "vs health"
printf '%-32s %12s %10s %8s %10s\n' "demo GET /api/v1/health (base)" "$H_RPS" "$H_P99" "$H_ERR" "1.00"
printf '%-32s %12s %10s %8s %10s\n' "GET /api/v1/scans/{id}" "$G_RPS" "$G_P99" "$G_ERR" "$(ratio "$G_RPS" "$H_RPS")"
printf '%-32s %12s %10s %8s %10s\n' "POST /api/v1/scans" "$P_RPS" "$P_P99" "$P_ERR" "$(ratio "$P_RPS" "$H_RPS")"
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f%%", 100 * a / b; else print "-" }'; }
echo "POST answers: $P_ALL; 201 Created: $P_201 ($(pct "$P_201" "$P_ALL")), 503 queue-full: $P_503 ($(pct "$P_503" "$P_ALL")), other: $((P_ALL - P_201 - P_503))"
echo
echo "server RSS at rest:          $REST"
echo "server RSS during GET load:  $(cat "$WORK/rss-get")"
echo "server RSS after GET load:   $AFTER_GET"
echo "server RSS during POST load: $(cat "$WORK/rss-post")"
echo "server RSS after POST load:  $AFTER_POST (${QUEUED:-?} scans still queued)"
