#!/usr/bin/env bash
# SET throughput with the append-only file on, rkv-server against
# redis-server with the same settings (appendfsync everysec, then always),
# the start-up replay time of an incremental file of KEYS SETs, and the
# time one BGREWRITEAOF of KEYS keys takes (with and without the RDB
# preamble).
#
# Not a test: an engineer runs it on a quiet machine with at least 2 CPUs
# and a real disk (fsync cost is the point of `always`).
#
#   bench/aof.sh                         # build rkv-server --release, compare
#   N=20000 ROUNDS=1 KEYS=100000 bench/aof.sh   # quick run
#
# Environment: N (requests per run, default 100000), ROUNDS (default 3),
# CLIENTS (redis-benchmark -c, default 50), KEYS (SETs replayed at start-up,
# default 1000000; 0 skips it), POLICIES (default "everysec always"), RKV_BIN, REDIS_BIN, SERVER_CPU, CLIENT_CPU,
# BENCH_OUT.
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

N="${N:-100000}"
ROUNDS="${ROUNDS:-3}"
CLIENTS="${CLIENTS:-50}"
KEYS="${KEYS:-1000000}"

for tool in redis-server redis-cli redis-benchmark awk; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (apt-get install redis-server redis-tools)"
done

RKV="$(rkv_binary)"
REDIS="${REDIS_BIN:-$(command -v redis-server)}"
trap stop_servers EXIT

# aof_on PORT POLICY: turns the AOF on at run time (both servers write a
# base first: wait until that is done) and sets the fsync policy.
aof_on() {
    local port="$1" policy="$2"
    redis-cli -p "$port" CONFIG SET appendfsync "$policy" >/dev/null
    redis-cli -p "$port" CONFIG SET appendonly yes >/dev/null
    for _ in $(seq 1 200); do
        if [ "$(info_field "$port" aof_rewrite_in_progress)" = 0 ] &&
            [ "$(info_field "$port" aof_rewrite_scheduled)" = 0 ] &&
            [ "$(info_field "$port" aof_enabled)" = 1 ]; then
            return
        fi
        sleep 0.05
    done
    die "AOF did not turn on at port $port"
}

# set_rps PORT: one redis-benchmark run of SET, requests per second.
set_rps() {
    exec_pinned_client redis-benchmark -p "$1" -n "$N" -c "$CLIENTS" -r 100000 -t set --csv |
        awk -F'"' '/"SET"/ {print $4}'
}

exec_pinned_client() {
    if command -v taskset >/dev/null 2>&1; then
        taskset -c "$CLIENT_CPU" "$@"
    else
        "$@"
    fi
}

echo "| appendfsync | round | rkv SET/s | redis SET/s | ratio |"
echo "|---|---|---|---|---|"
for policy in ${POLICIES:-everysec always}; do
    for round in $(seq 1 "$ROUNDS"); do
        start_server rkv "$RKV"
        aof_on "$SERVER_PORT" "$policy"
        rkv_rps="$(set_rps "$SERVER_PORT")"
        stop_servers
        start_server redis "$REDIS"
        aof_on "$SERVER_PORT" "$policy"
        redis_rps="$(set_rps "$SERVER_PORT")"
        stop_servers
        ratio="$(awk -v a="$rkv_rps" -v b="$redis_rps" 'BEGIN {printf "%.2f", a / b}')"
        echo "| $policy | $round | $rkv_rps | $redis_rps | $ratio |"
    done
done

# replay_seconds NAME BINARY: fills an AOF with KEYS SETs, restarts the
# server on the same directory and times start-up until PING answers.
replay_seconds() {
    local name="$1" binary="$2" dir port started
    start_server "$name" "$binary"
    port="$SERVER_PORT"
    # shellcheck disable=SC2153 # set by start_server in lib.sh
    dir="${STARTED_DIRS[-1]}"
    aof_on "$port" everysec
    gen_sets "$KEYS" 16 | redis-cli -p "$port" --pipe >/dev/null
    redis-cli -p "$port" SHUTDOWN NOSAVE >/dev/null 2>&1 || true
    sleep 0.5
    port="$(free_port)"
    started="$(date +%s.%N)"
    (cd "$dir" && exec_pinned "$SERVER_CPU" "$binary" --port "$port" --bind 127.0.0.1 \
        --dir "$dir" --appendonly yes --save "") >"$dir/replay.log" 2>&1 &
    STARTED_PIDS+=("$!")
    until redis-cli -p "$port" PING 2>/dev/null | grep -q PONG; do sleep 0.01; done
    awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN {printf "%.2f", e - s}'
    [ "$(dbsize "$port")" = "$KEYS" ] || log "$name: replay loaded $(dbsize "$port") keys, not $KEYS"
    stop_servers
}

if [ "$KEYS" -gt 0 ]; then
    echo
    echo "| start-up replay of $KEYS SETs | seconds |"
    echo "|---|---|"
    echo "| rkv | $(replay_seconds rkv "$RKV") |"
    echo "| redis | $(replay_seconds redis "$REDIS") |"
fi

# rewrite_seconds NAME BINARY PREAMBLE: fills KEYS keys, then times one
# BGREWRITEAOF from the command to aof_rewrite_in_progress:0 (polled every
# 10 ms) with aof-use-rdb-preamble PREAMBLE.
rewrite_seconds() {
    local name="$1" binary="$2" preamble="$3" port started
    start_server "$name" "$binary"
    port="$SERVER_PORT"
    redis-cli -p "$port" CONFIG SET aof-use-rdb-preamble "$preamble" >/dev/null
    aof_on "$port" everysec
    gen_sets "$KEYS" 16 | redis-cli -p "$port" --pipe >/dev/null
    started="$(date +%s.%N)"
    redis-cli -p "$port" BGREWRITEAOF >/dev/null
    sleep 0.01
    until [ "$(info_field "$port" aof_rewrite_in_progress)" = 0 ]; do sleep 0.01; done
    awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN {printf "%.2f", e - s}'
    [ "$(info_field "$port" aof_last_bgrewrite_status)" = ok ] || log "$name: rewrite failed"
    stop_servers
}

if [ "$KEYS" -gt 0 ]; then
    echo
    echo "| BGREWRITEAOF of $KEYS keys | rkv s | redis s |"
    echo "|---|---|---|"
    for preamble in yes no; do
        echo "| aof-use-rdb-preamble $preamble | $(rewrite_seconds rkv "$RKV" "$preamble") | $(rewrite_seconds redis "$REDIS" "$preamble") |"
    done
fi
