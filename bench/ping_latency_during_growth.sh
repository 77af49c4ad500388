#!/usr/bin/env bash
# Worst PING latency while the keyspace grows, rkv-server against redis-server.
#
# For each server: load GROWTH_KEYS keys through redis-cli --pipe while a
# single-connection PING probe (redis-benchmark -t ping_mbulk -c 1, in short
# back-to-back batches) runs; report the worst and the typical PING latency.
# Growth pauses (table resizes, allocation stalls) show up as the maximum.
#
#   bench/ping_latency_during_growth.sh
#   GROWTH_KEYS=500000 bench/ping_latency_during_growth.sh
#   RKV_BIN="$(command -v redis-server)" bench/ping_latency_during_growth.sh
#
# Environment: GROWTH_KEYS (default 5000000), PROBE_BATCH (PINGs per probe
# batch, default 2000), RKV_BIN, REDIS_BIN, SERVER_CPU, CLIENT_CPU, BENCH_OUT.
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

GROWTH_KEYS="${GROWTH_KEYS:-5000000}"
PROBE_BATCH="${PROBE_BATCH:-2000}"

for tool in redis-server redis-cli redis-benchmark awk; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (apt-get install redis-server redis-tools)"
done

RKV="$(rkv_binary)"
REDIS="${REDIS_BIN:-$(command -v redis-server)}"
[ -x "$RKV" ] || die "rkv-server binary not found at $RKV"

STAMP="$(date +%Y%m%dT%H%M%S)"
COMMANDS="$BENCH_OUT/growth-commands-$STAMP.resp"
# Generated up front so the generator does not compete with the probe.
log "generating $GROWTH_KEYS SET commands"
gen_sets "$GROWTH_KEYS" 16 >"$COMMANDS"
trap 'stop_servers; rm -f "$COMMANDS"' EXIT

# probe_during_load NAME BINARY: prints
# "name keys load_seconds batches max_ms p99_worst_ms avg_ms".
probe_during_load() {
    local name="$1" binary="$2" port loader started samples
    start_server "$name" "$binary"
    port="$SERVER_PORT"
    samples="$BENCH_OUT/growth-$name-$STAMP.csv"
    : >"$samples"
    started="$(date +%s.%N)"
    (exec_pinned "$CLIENT_CPU" redis-cli -p "$port" --pipe) <"$COMMANDS" >/dev/null &
    loader=$!
    while kill -0 "$loader" 2>/dev/null; do
        # CSV columns: test, rps, avg, min, p50, p95, p99, max.
        (exec_pinned "$CLIENT_CPU" redis-benchmark -h 127.0.0.1 -p "$port" -q --csv \
            -t ping_mbulk -c 1 -n "$PROBE_BATCH") | tr -d '"\r' | awk -F, 'NR > 1' >>"$samples"
    done
    wait "$loader"
    awk -F, -v name="$name" -v keys="$(dbsize "$port")" \
        -v secs="$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')" '
        { n++; sum += $3; if ($8 + 0 > max) max = $8 + 0; if ($7 + 0 > p99) p99 = $7 + 0 }
        END { printf "%s %s %s %d %.3f %.3f %.3f\n", name, keys, secs, n, max, p99, n ? sum / n : 0 }' "$samples"
    stop_servers
}

RESULT="$BENCH_OUT/growth-$STAMP.txt"
probe_during_load rkv "$RKV" >"$RESULT"
probe_during_load redis "$REDIS" >>"$RESULT"

echo "## PING latency while loading $GROWTH_KEYS keys (16-byte values)"
echo
echo "| server | keys (DBSIZE) | load s | probe batches | max PING ms | worst batch p99 ms | mean batch avg ms |"
echo "|---|---:|---:|---:|---:|---:|---:|"
awk '{ printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7 }' "$RESULT"
echo
echo "Per-batch samples: $BENCH_OUT/growth-{rkv,redis}-$STAMP.csv"
