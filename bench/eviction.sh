#!/usr/bin/env bash
# Eviction quality: cache hit ratio of rkv-server against redis-server under
# allkeys-lru and allkeys-lfu, on the same power-law access trace.
#
# A trace of ACCESSES accesses over KEYS keys is drawn once from a Zipf
# distribution (exponent ALPHA, fixed seed). Each access is a cache lookup
# that fills on a miss: `SET key value NX GET` (nil = miss, the value =
# hit). Each server first learns its own bytes per key (all keys loaded,
# INFO used_memory), so maxmemory can be set to hold CAPACITY (default 30%)
# of the keys on both servers alike; then the trace is replayed from an
# empty keyspace and the hit ratios are compared. The issue's bar: within
# 2 points of Redis's.
#
# Besides the hit ratio, each run reports how much of the hot set survived
# it: the share of the HOT (default 10%) most popular keys still present
# at the end, the property Redis's own LRU test looks at.
#
#   bench/eviction.sh                                                   # full size
#   SIZE=small RKV_BIN=target/debug/rkv-server bench/eviction.sh         # smoke, < 1 min
#
# Environment: SIZE (full: the defaults below; small: KEYS=2000
# ACCESSES=20000), KEYS (default 100000), ACCESSES (default 1000000), ALPHA
# (default 1.0), CAPACITY (default 0.3), VALUE_BYTES (default 100), SEED
# (default 42), HOT (default 0.1), POLICIES (default "allkeys-lru allkeys-lfu"), RKV_BIN,
# REDIS_BIN, SERVER_CPU, CLIENT_CPU, BENCH_OUT.
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

case "${SIZE:-full}" in
full) ;;
small)
    KEYS="${KEYS:-2000}"
    ACCESSES="${ACCESSES:-20000}"
    ;;
*) die "SIZE must be small or full" ;;
esac
KEYS="${KEYS:-100000}"
ACCESSES="${ACCESSES:-1000000}"
HOT="${HOT:-0.1}"
ALPHA="${ALPHA:-1.0}"
CAPACITY="${CAPACITY:-0.3}"
VALUE_BYTES="${VALUE_BYTES:-100}"
SEED="${SEED:-42}"
POLICIES="${POLICIES:-allkeys-lru allkeys-lfu}"

for tool in redis-server redis-cli awk; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (apt-get install redis-server redis-tools)"
done

RKV="$(rkv_binary)"
REDIS="${REDIS_BIN:-$(command -v redis-server)}"
[ -x "$RKV" ] || die "rkv-server binary not found at $RKV"

TRACE="$BENCH_OUT/eviction-trace-$KEYS-$ACCESSES-$ALPHA-$SEED.txt"
# EXISTS of the most popular keys, hottest first, one per line.
HOT_KEYS="$TRACE.hot"
RESULTS="$BENCH_OUT/eviction.csv"
trap stop_servers EXIT

# The trace: one inline command per access, keys ranked by popularity
# (rank r has weight 1/r^ALPHA) and scattered over the key names so that
# popularity does not follow insertion order.
if [ ! -s "$TRACE" ] || [ ! -s "$HOT_KEYS" ]; then
    log "drawing $ACCESSES accesses over $KEYS keys (Zipf $ALPHA, seed $SEED)"
    awk -v n="$KEYS" -v m="$ACCESSES" -v a="$ALPHA" -v seed="$SEED" -v size="$VALUE_BYTES" \
        -v hot="$HOT" -v hotfile="$HOT_KEYS" 'BEGIN {
        srand(seed)
        total = 0
        for (r = 1; r <= n; r++) { total += 1 / (r ^ a); cdf[r] = total }
        # A fixed permutation of ranks to key names.
        for (r = 1; r <= n; r++) name[r] = r
        for (r = n; r > 1; r--) { j = int(rand() * r) + 1; t = name[r]; name[r] = name[j]; name[j] = t }
        for (r = 1; r <= int(n * hot); r++) printf "EXISTS key:%d\n", name[r] >hotfile
        value = sprintf("%0" size "d", 0)
        for (i = 0; i < m; i++) {
            u = rand() * total
            lo = 1; hi = n
            while (lo < hi) { mid = int((lo + hi) / 2); if (cdf[mid] < u) lo = mid + 1; else hi = mid }
            printf "SET key:%d %s NX GET\n", name[lo], value
        }
    }' >"$TRACE"
fi

# bytes_per_key PORT: loads every key once and prints used memory per key.
bytes_per_key() {
    local port="$1" before after
    redis-cli -p "$port" FLUSHALL >/dev/null
    before="$(info_field "$port" used_memory)"
    gen_sets "$KEYS" "$VALUE_BYTES" | redis-cli -p "$port" --pipe >/dev/null
    after="$(info_field "$port" used_memory)"
    redis-cli -p "$port" FLUSHALL >/dev/null
    echo $(((after - before) / KEYS))
}

# replay PORT POLICY PER_KEY: prints "hits misses evicted hot_kept" for one run of
# the trace with room for CAPACITY of the keys at PER_KEY bytes each.
replay() {
    local port="$1" policy="$2" per_key="$3" base limit
    base="$(info_field "$port" used_memory)"
    limit="$(awk -v b="$base" -v k="$KEYS" -v c="$CAPACITY" -v p="$per_key" 'BEGIN { printf "%d", b + k * c * p }')"
    redis-cli -p "$port" CONFIG SET maxmemory-policy "$policy" >/dev/null
    redis-cli -p "$port" CONFIG SET maxmemory "$limit" >/dev/null
    log "port $port: $per_key bytes/key, maxmemory $limit ($policy)"
    local started=$SECONDS
    # Replies come back one per line: empty for nil (a miss), the value for a hit.
    (exec_pinned "$CLIENT_CPU" redis-cli -p "$port") <"$TRACE" |
        awk '{ if ($0 == "") miss++; else hit++ } END { printf "%d %d", hit, miss }'
    # The LRU clock ticks in whole seconds: a replay lasting only a few
    # seconds leaves LRU little to tell keys apart by.
    log "port $port: replay took $((SECONDS - started)) s"
    echo " $(info_field "$port" evicted_keys) $(hot_kept "$port")"
}

# hot_kept PORT: the share of the hot set present now.
hot_kept() {
    redis-cli -p "$1" <"$HOT_KEYS" |
        awk '{ n++; kept += $1 } END { printf "%.4f", n ? kept / n : 0 }'
}

echo "server,policy,hits,misses,hit_ratio,evicted_keys,hot_kept" >"$RESULTS"
for server in rkv redis; do
    binary="$RKV"
    [ "$server" = redis ] && binary="$REDIS"
    for policy in $POLICIES; do
        # A fresh server per run, so no run inherits another's tables.
        start_server "$server" "$binary"
        per_key="$(bytes_per_key "$SERVER_PORT")"
        read -r hits misses evicted kept < <(replay "$SERVER_PORT" "$policy" "$per_key")
        ratio="$(awk -v h="$hits" -v m="$misses" 'BEGIN { printf "%.4f", (h + m) ? h / (h + m) : 0 }')"
        echo "$server,$policy,$hits,$misses,$ratio,$evicted,$kept" >>"$RESULTS"
        log "$server $policy: hit ratio $ratio ($evicted evicted, hot set kept $kept)"
        stop_servers
    done
done

echo
echo "$KEYS keys, $ACCESSES accesses, Zipf $ALPHA, room for $CAPACITY of the keys; hot set: top $HOT"
echo
echo "| policy | rkv hit ratio | redis hit ratio | difference (points) | within 2 points | rkv hot kept | redis hot kept |"
echo "|---|---:|---:|---:|---|---:|---:|"
awk -F, 'NR > 1 { r[$1, $2] = $5; h[$1, $2] = $7; p[$2] = 1 }
    END {
        for (policy in p) {
            d = (r["rkv", policy] - r["redis", policy]) * 100
            printf "| %s | %.4f | %.4f | %+.2f | %s | %.4f | %.4f |\n", policy, r["rkv", policy], r["redis", policy], d,
                (d <= 2 && d >= -2) ? "yes" : "NO", h["rkv", policy], h["redis", policy]
        }
    }' "$RESULTS"
echo
echo "Raw results: $RESULTS"
