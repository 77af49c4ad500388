#!/usr/bin/env bash
# RDB persistence, rkv-server against redis-server: SAVE time, dump size and
# start-up load time for two datasets, and PING latency during a BGSAVE.
#
#   bench/persistence.sh
#   SMALL_KEYS=100000 COLLECTIONS=8 ELEMENTS=10000 bench/persistence.sh   # quick
#   RKV_BIN="$(command -v redis-server)" bench/persistence.sh             # check the script
#
# Datasets: "small" = SMALL_KEYS string keys of 16 bytes (default 1M);
# "collections" = COLLECTIONS keys (default 100, a quarter each of lists,
# sets, sorted sets and hashes) of ELEMENTS elements (default 100k).
# Load time is the server's own "DB loaded from disk: X seconds" log line.
# The latency probe runs single-connection PING batches (redis-benchmark
# -t ping_mbulk -c 1) for as long as a BGSAVE of the small dataset runs.
#
# Environment: SMALL_KEYS, COLLECTIONS, ELEMENTS, PROBE_BATCH, RKV_BIN,
# REDIS_BIN, SERVER_CPU, CLIENT_CPU, BENCH_OUT.
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

SMALL_KEYS="${SMALL_KEYS:-1000000}"
COLLECTIONS="${COLLECTIONS:-100}"
ELEMENTS="${ELEMENTS:-100000}"
PROBE_BATCH="${PROBE_BATCH:-2000}"
# Loading big dumps takes a while: wait up to 5 minutes for PING.
export START_TICKS=6000

for tool in redis-server redis-cli redis-benchmark awk; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (apt-get install redis-server redis-tools)"
done

RKV="$(rkv_binary)"
REDIS="${REDIS_BIN:-$(command -v redis-server)}"
[ -x "$RKV" ] || die "rkv-server binary not found at $RKV"

STAMP="$(date +%Y%m%dT%H%M%S)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/rkv-bench-persistence.XXXXXX")"
trap 'stop_servers; rm -rf "$WORK"' EXIT

# gen_collections COUNT ELEMENTS: RESP commands building COUNT collections
# (list, set, zset, hash in turn) of ELEMENTS elements, 1000 per command.
gen_collections() {
    awk -v n="$1" -v size="$2" '
        function bulk(s) { return sprintf("$%d\r\n%s\r\n", length(s), s) }
        BEGIN {
            split("RPUSH SADD ZADD HSET", verbs, " ")
            for (c = 0; c < n; c++) {
                kind = c % 4 + 1
                key = "coll:" c
                for (start = 0; start < size; start += 1000) {
                    end = start + 1000 > size ? size : start + 1000
                    per = (kind >= 3) ? 2 : 1
                    out = ""
                    for (i = start; i < end; i++) {
                        if (kind == 3) out = out bulk(i / 7) bulk("member:" i)
                        else if (kind == 4) out = out bulk("field:" i) bulk("value:" i)
                        else out = out bulk("element:" i)
                    }
                    printf "*%d\r\n%s%s%s", 2 + per * (end - start), bulk(verbs[kind]), bulk(key), out
                }
            }
        }'
}

log "generating datasets"
gen_sets "$SMALL_KEYS" 16 >"$WORK/small.resp"
gen_collections "$COLLECTIONS" "$ELEMENTS" >"$WORK/collections.resp"

# loaded_seconds DIR: the load time the server logged (both servers log
# "DB loaded from disk: X seconds").
loaded_seconds() {
    sed -n 's/.*DB loaded from disk: \([0-9.]*\) seconds.*/\1/p' "$1/server.log" | tail -1
}

# save_and_reload NAME BINARY DATASET: prints "name dataset keys save_s
# rdb_bytes load_s".
save_and_reload() {
    local name="$1" binary="$2" dataset="$3" port dir started save_s bytes keys
    start_server "$name" "$binary"
    port="$SERVER_PORT"
    dir="$SERVER_DIR"
    (exec_pinned "$CLIENT_CPU" redis-cli -p "$port" --pipe) <"$WORK/$dataset.resp" >/dev/null
    keys="$(dbsize "$port")"
    started="$(date +%s.%N)"
    redis-cli -p "$port" SAVE >/dev/null
    save_s="$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')"
    bytes="$(stat -c %s "$dir/dump.rdb")"
    cp "$dir/dump.rdb" "$WORK/$name-$dataset.rdb"
    stop_servers
    START_DUMP="$WORK/$name-$dataset.rdb" start_server "$name-load" "$binary"
    [ "$(dbsize "$SERVER_PORT")" = "$keys" ] || die "$name did not load all of $dataset"
    echo "$name $dataset $keys $save_s $bytes $(loaded_seconds "$SERVER_DIR")"
    stop_servers
}

# ping_during_bgsave NAME BINARY: prints "name batches max_ms worst_p99_ms
# avg_ms bgsave_s" for PINGs sent while a BGSAVE of the small dataset runs.
ping_during_bgsave() {
    local name="$1" binary="$2" port samples started
    START_DUMP="$WORK/$name-small.rdb" start_server "$name-bgsave" "$binary"
    port="$SERVER_PORT"
    samples="$BENCH_OUT/persistence-ping-$name-$STAMP.csv"
    : >"$samples"
    started="$(date +%s.%N)"
    redis-cli -p "$port" BGSAVE >/dev/null
    while [ "$(info_field "$port" rdb_bgsave_in_progress)" = "1" ]; do
        # CSV columns: test, rps, avg, min, p50, p95, p99, max.
        (exec_pinned "$CLIENT_CPU" redis-benchmark -h 127.0.0.1 -p "$port" -q --csv \
            -t ping_mbulk -c 1 -n "$PROBE_BATCH") | tr -d '"\r' | awk -F, 'NR > 1' >>"$samples"
    done
    awk -F, -v name="$name" \
        -v secs="$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')" '
        { n++; sum += $3; if ($8 + 0 > max) max = $8 + 0; if ($7 + 0 > p99) p99 = $7 + 0 }
        END { printf "%s %d %.3f %.3f %.3f %s\n", name, n, max, p99, n ? sum / n : 0, secs }' "$samples"
    stop_servers
}

RESULTS="$BENCH_OUT/persistence-$STAMP.txt"
{
    for dataset in small collections; do
        save_and_reload rkv "$RKV" "$dataset"
        save_and_reload redis "$REDIS" "$dataset"
    done
} | tee "$WORK/save.txt"
{
    ping_during_bgsave rkv "$RKV"
    ping_during_bgsave redis "$REDIS"
} | tee "$WORK/ping.txt"

{
    echo "## RDB save / size / load (rkv vs redis-server)"
    echo
    echo "| dataset | keys | rkv SAVE s | redis SAVE s | rkv bytes | redis bytes | size ratio | rkv load s | redis load s | load ratio |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    awk '
        { save[$1, $2] = $4; size[$1, $2] = $5; load[$1, $2] = $6; keys[$2] = $3 }
        function ratio(a, b) { return b + 0 > 0 ? sprintf("%.2f", a / b) : "n/a" }
        END {
            split("small collections", ds, " ")
            for (i = 1; i <= 2; i++) {
                d = ds[i]
                printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", d, keys[d],
                    save["rkv", d], save["redis", d], size["rkv", d], size["redis", d],
                    ratio(size["rkv", d], size["redis", d]), load["rkv", d], load["redis", d],
                    ratio(load["rkv", d], load["redis", d])
            }
        }' "$WORK/save.txt"
    echo
    echo "## PING during BGSAVE of the small dataset"
    echo
    echo "| server | probe batches | max ms | worst batch p99 ms | avg ms | BGSAVE s |"
    echo "|---|---:|---:|---:|---:|---:|"
    awk '{ printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6 }' "$WORK/ping.txt"
} | tee "$RESULTS"
log "results in $RESULTS"
