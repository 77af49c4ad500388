#!/usr/bin/env bash
# RDB load speed: start-up load time of rkv-server against redis-server on
# the same dumps (written by redis-server), and `rkv-rdb analyze` MB/s.
#
#   bench/rdb_load.sh
#   ROUNDS=3 STRING_KEYS=200000 SMALL_COLLECTIONS=10000 ANALYZE_KEYS=500000 bench/rdb_load.sh  # quick
#
# Dumps (all written by redis-server, so both servers read the same bytes):
#   strings      STRING_KEYS string keys of 16 bytes (default 1M)
#   collections  SMALL_COLLECTIONS small hashes, sorted sets, int sets,
#                lists, string sets and int lists (4 to 63 elements: the
#                listpack/intset encodings), then BIG_COLLECTIONS big ones
#                (list, set, zset, hash, int set) of BIG_ELEMENTS elements
#   analyze      ANALYZE_KEYS string keys of 64 varied bytes plus the
#                collections (~200 MB by default), for `rkv-rdb analyze`
# Load time is the server's own "DB loaded from disk: X seconds" log line;
# rounds alternate rkv and redis, and the table shows medians.
#
# Environment: ROUNDS, STRING_KEYS, SMALL_COLLECTIONS, BIG_COLLECTIONS,
# BIG_ELEMENTS, ANALYZE_KEYS, RKV_BIN, RKV_RDB_BIN, REDIS_BIN, SERVER_CPU,
# CLIENT_CPU, BENCH_OUT.
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

ROUNDS="${ROUNDS:-5}"
STRING_KEYS="${STRING_KEYS:-1000000}"
SMALL_COLLECTIONS="${SMALL_COLLECTIONS:-60000}"
BIG_COLLECTIONS="${BIG_COLLECTIONS:-10}"
BIG_ELEMENTS="${BIG_ELEMENTS:-50000}"
ANALYZE_KEYS="${ANALYZE_KEYS:-2500000}"
export START_TICKS=6000

for tool in redis-server redis-cli awk; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (apt-get install redis-server redis-tools)"
done

RKV="$(rkv_binary)"
REDIS="${REDIS_BIN:-$(command -v redis-server)}"
if [ -z "${RKV_RDB_BIN:-}" ]; then
    log "building rkv-rdb (release)"
    (cd "$BENCH_ROOT" && cargo build -q --release -p rkv-rdb --bin rkv-rdb) >&2
    RKV_RDB_BIN="${CARGO_TARGET_DIR:-$BENCH_ROOT/target}/release/rkv-rdb"
fi
[ -x "$RKV" ] || die "rkv-server binary not found at $RKV"
[ -x "$RKV_RDB_BIN" ] || die "rkv-rdb binary not found at $RKV_RDB_BIN"

STAMP="$(date +%Y%m%dT%H%M%S)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/rkv-bench-rdb-load.XXXXXX")"
trap 'stop_servers; rm -rf "$WORK"' EXIT

# gen_collections SMALL BIG ELEMENTS: RESP commands building SMALL small
# collections of six kinds in turn, then BIG big ones of ELEMENTS elements.
gen_collections() {
    awk -v small="$1" -v big="$2" -v size="$3" '
        function bulk(s) { return sprintf("$%d\r\n%s\r\n", length(s), s) }
        BEGIN {
            for (k = 0; k < small; k++) {
                kind = k % 6
                n = 4 + k % 60
                out = ""
                for (i = 0; i < n; i++) {
                    if (kind == 0) out = out bulk("field:" i) bulk("value:" k "-" i)
                    else if (kind == 1) out = out bulk(i * 1.5) bulk("member:" i)
                    else if (kind == 2) out = out bulk(k * 100 + i)
                    else if (kind == 3) out = out bulk("element:" k ":" i)
                    else if (kind == 4) out = out bulk("m:" k ":" i)
                    else out = out bulk(i)
                }
                per = (kind <= 1) ? 2 : 1
                verb = (kind == 0) ? "HSET" : (kind == 1) ? "ZADD" : (kind == 2 || kind == 4) ? "SADD" : "RPUSH"
                printf "*%d\r\n%s%s%s", 2 + per * n, bulk(verb), bulk("s" kind ":" k), out
            }
            split("RPUSH SADD ZADD HSET SADD", verbs, " ")
            for (c = 0; c < big; c++) {
                kind = c % 5 + 1
                for (start = 0; start < size; start += 1000) {
                    end = start + 1000 > size ? size : start + 1000
                    per = (kind == 3 || kind == 4) ? 2 : 1
                    out = ""
                    for (i = start; i < end; i++) {
                        if (kind == 3) out = out bulk(i / 7) bulk("member:" i)
                        else if (kind == 4) out = out bulk("field:" i) bulk("value:" i)
                        else if (kind == 5) out = out bulk(i * 3)
                        else out = out bulk("element:" i)
                    }
                    printf "*%d\r\n%s%s%s", 2 + per * (end - start), bulk(verbs[kind]), bulk("big:" c), out
                }
            }
        }'
}

# gen_varied_sets COUNT: COUNT SETs of 64-byte hex values that LZF cannot
# shrink much, so the analyze dump's size is its data's.
gen_varied_sets() {
    awk -v n="$1" 'BEGIN {
        for (i = 0; i < n; i++) {
            key = "key:" i
            v = ""
            for (j = 1; j <= 8; j++) v = v sprintf("%08x", (i * 2654435761 + j * 40503 * (i % 977 + 1)) % 4294967296)
            printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$64\r\n%s\r\n", length(key), key, v
        }
    }'
}

# make_dump NAME: has redis-server write $WORK/NAME.rdb.
make_dump() {
    local name="$1"
    start_server "redis-$name" "$REDIS"
    case "$name" in
        strings) gen_sets "$STRING_KEYS" 16 | redis-cli -p "$SERVER_PORT" --pipe >/dev/null ;;
        collections)
            gen_collections "$SMALL_COLLECTIONS" "$BIG_COLLECTIONS" "$BIG_ELEMENTS" |
                redis-cli -p "$SERVER_PORT" --pipe >/dev/null
            ;;
        analyze)
            gen_collections "$SMALL_COLLECTIONS" "$BIG_COLLECTIONS" "$BIG_ELEMENTS" |
                redis-cli -p "$SERVER_PORT" --pipe >/dev/null
            gen_varied_sets "$ANALYZE_KEYS" | redis-cli -p "$SERVER_PORT" --pipe >/dev/null
            ;;
    esac
    redis-cli -p "$SERVER_PORT" SAVE >/dev/null
    cp "$SERVER_DIR/dump.rdb" "$WORK/$name.rdb"
    log "$name: $(dbsize "$SERVER_PORT") keys, $(stat -c %s "$WORK/$name.rdb") bytes"
    stop_servers
}

# loaded_seconds DIR: the load time the server logged.
loaded_seconds() {
    sed -n 's/.*DB loaded from disk: \([0-9.]*\) seconds.*/\1/p' "$1/server.log" | tail -1
}

# load_once NAME BINARY DUMP: prints "name dump seconds".
load_once() {
    local name="$1" binary="$2" dump="$3" keys
    START_DUMP="$WORK/$dump.rdb" start_server "$name-load" "$binary"
    keys="$(dbsize "$SERVER_PORT")"
    [ "$keys" != "0" ] || die "$name loaded nothing from $dump"
    echo "$name $dump $(loaded_seconds "$SERVER_DIR") $keys"
    stop_servers
}

# median: the median of the numbers on stdin.
median() {
    sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

log "writing the dumps with redis-server"
for dump in strings collections analyze; do
    make_dump "$dump"
done

: >"$WORK/loads.txt"
for round in $(seq 1 "$ROUNDS"); do
    log "load round $round of $ROUNDS"
    for dump in strings collections; do
        load_once rkv "$RKV" "$dump" >>"$WORK/loads.txt"
        load_once redis "$REDIS" "$dump" >>"$WORK/loads.txt"
    done
done

: >"$WORK/analyze.txt"
for round in $(seq 1 "$ROUNDS"); do
    log "analyze round $round of $ROUNDS"
    # %e: elapsed seconds, %M: peak RSS in KiB.
    (exec_pinned "$SERVER_CPU" /usr/bin/time -f "%e %M" -o "$WORK/time.txt" \
        "$RKV_RDB_BIN" analyze "$WORK/analyze.rdb") >/dev/null
    cat "$WORK/time.txt" >>"$WORK/analyze.txt"
done

RESULTS="$BENCH_OUT/rdb-load-$STAMP.txt"
{
    echo "## Start-up load time (medians of $ROUNDS interleaved rounds)"
    echo
    echo "| dump | keys | bytes | rkv s | redis s | ratio |"
    echo "|---|---:|---:|---:|---:|---:|"
    for dump in strings collections; do
        rkv_s="$(awk -v d="$dump" '$1 == "rkv" && $2 == d { print $3 }' "$WORK/loads.txt" | median)"
        redis_s="$(awk -v d="$dump" '$1 == "redis" && $2 == d { print $3 }' "$WORK/loads.txt" | median)"
        keys="$(awk -v d="$dump" '$2 == d { k = $4 } END { print k }' "$WORK/loads.txt")"
        ratio="$(awk -v a="$rkv_s" -v b="$redis_s" 'BEGIN { if (b + 0 > 0) printf "%.2f", a / b; else print "n/a" }')"
        echo "| $dump | $keys | $(stat -c %s "$WORK/$dump.rdb") | $rkv_s | $redis_s | $ratio |"
    done
    echo
    echo "## rkv-rdb analyze (median of $ROUNDS runs)"
    echo
    bytes="$(stat -c %s "$WORK/analyze.rdb")"
    secs="$(awk '{ print $1 }' "$WORK/analyze.txt" | median)"
    rss="$(awk '{ print $2 }' "$WORK/analyze.txt" | median)"
    echo "| dump bytes | seconds | MB/s | peak RSS MiB |"
    echo "|---:|---:|---:|---:|"
    awk -v b="$bytes" -v s="$secs" -v r="$rss" 'BEGIN {
        printf "| %d | %s | %.1f | %.1f |\n", b, s, (s + 0 > 0 ? b / 1e6 / s : 0), r / 1024 }'
} | tee "$RESULTS"
log "results in $RESULTS"
