#!/usr/bin/env bash
# Collections: redis-benchmark's list/set/hash/zset tests and memory of big
# and small collections, rkv-server against redis-server.
#
# Not a test: run it on a quiet machine with at least 2 CPUs.
#
#   bench/collections.sh
#   N=20000 ROUNDS=1 SIZE=100000 bench/collections.sh   # quick run
#
# Environment: N, ROUNDS (as compare.sh), SIZE (members of each big
# collection, default 1000000), SMALL (count of 10-field hashes, default
# 100000), RKV_BIN, REDIS_BIN, SERVER_CPU, CLIENT_CPU, BENCH_OUT.
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

SIZE="${SIZE:-1000000}"
SMALL="${SMALL:-100000}"

WORKLOADS="1:lpush,rpop,lrange_100,lrange_600,sadd,spop,hset,zadd,zpopmin" KEYS=0 \
    "$(dirname "$0")/compare.sh"

RKV="$(rkv_binary)"
REDIS="${REDIS_BIN:-$(command -v redis-server)}"
trap stop_servers EXIT

# gen_big KIND COUNT: RESP commands building one collection of COUNT members.
gen_big() {
    awk -v kind="$1" -v n="$2" 'BEGIN {
        for (i = 0; i < n; i++) {
            m = "member:" i
            if (kind == "hash") {
                v = "value:" i
                printf "*4\r\n$4\r\nHSET\r\n$3\r\nbig\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(m), m, length(v), v
            } else if (kind == "set") {
                printf "*3\r\n$4\r\nSADD\r\n$3\r\nbig\r\n$%d\r\n%s\r\n", length(m), m
            } else {
                s = i ""
                printf "*4\r\n$4\r\nZADD\r\n$3\r\nbig\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(s), s, length(m), m
            }
        }
    }'
}

# gen_small COUNT: COUNT hashes of 10 short string fields each.
gen_small() {
    awk -v n="$1" 'BEGIN {
        for (i = 0; i < n; i++) {
            k = "h:" i
            printf "*22\r\n$4\r\nHSET\r\n$%d\r\n%s\r\n", length(k), k
            for (f = 0; f < 10; f++) {
                fk = "field" f
                fv = "value" f ":" i
                printf "$%d\r\n%s\r\n$%d\r\n%s\r\n", length(fk), fk, length(fv), fv
            }
        }
    }'
}

# memory_delta NAME BINARY GENERATOR...: used_memory growth while loading.
memory_delta() {
    local name="$1" binary="$2" before after
    shift 2
    start_server "$name" "$binary"
    before="$(info_field "$SERVER_PORT" used_memory)"
    "$@" | (exec_pinned "$CLIENT_CPU" redis-cli -p "$SERVER_PORT" --pipe) >/dev/null
    after="$(info_field "$SERVER_PORT" used_memory)"
    stop_servers
    echo $((after - before))
}

echo "## Memory of collections (used_memory growth while loading)"
echo
echo "| data set | rkv bytes | redis bytes | rkv / redis |"
echo "|---|---:|---:|---:|"
for spec in "hash:one hash of $SIZE fields:gen_big hash $SIZE" \
    "set:one set of $SIZE members:gen_big set $SIZE" \
    "zset:one sorted set of $SIZE members:gen_big zset $SIZE" \
    "small:$SMALL hashes of 10 fields:gen_small $SMALL"; do
    IFS=: read -r _ label generator <<<"$spec"
    # shellcheck disable=SC2086 # the generator is a command line
    r="$(memory_delta rkv "$RKV" $generator)"
    # shellcheck disable=SC2086
    d="$(memory_delta redis "$REDIS" $generator)"
    awk -v l="$label" -v r="$r" -v d="$d" 'BEGIN { printf "| %s | %d | %d | %.2f |\n", l, r, d, r / d }'
done
