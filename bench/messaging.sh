#!/usr/bin/env bash
# PUBLISH fan-out, streams, scripting and transactions: rkv-server against
# redis-server, with bench/loadgen (redis-benchmark cannot send MULTI/EXEC
# sequences or hold subscribers).
#
# Not a test: an engineer runs it on a quiet machine with at least 2 CPUs.
# Servers are pinned to CPU 0 and the load generator to CPU 1.
#
#   bench/messaging.sh                       # build, compare, print the table
#   N=20000 ROUNDS=1 bench/messaging.sh      # quick run
#
# Environment: N (requests per workload, default 100000), ROUNDS (default 3),
# WORKLOADS (names from the list below), RKV_BIN, REDIS_BIN, SERVER_CPU,
# CLIENT_CPU, BENCH_OUT.
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

N="${N:-100000}"
ROUNDS="${ROUNDS:-3}"
read -r -a WORKLOADS <<<"${WORKLOADS:-publish100 xadd xreadgroup evalsha multi3}"
SCRIPT="return redis.call('SET', KEYS[1], ARGV[1])"

for tool in redis-server redis-cli awk; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (apt-get install redis-server redis-tools)"
done
RKV="$(rkv_binary)"
REDIS="${REDIS_BIN:-$(command -v redis-server)}"
log "building rkv-loadgen (release)"
(cd "$BENCH_ROOT" && cargo build -q --release -p rkv-loadgen) >&2
LOADGEN="${CARGO_TARGET_DIR:-$BENCH_ROOT/target}/release/rkv-loadgen"
trap stop_servers EXIT

STAMP="$(date +%Y%m%dT%H%M%S)"
RESULTS="$BENCH_OUT/messaging-$STAMP.csv"
echo "server,seq,test,rps,p50_ms,p99_ms,cpu_us_per_req" >"$RESULTS"
TICK_US=$((1000000 / $(getconf CLK_TCK)))

# prepare PORT WORKLOAD: empties the server and sets up what WORKLOAD needs;
# prints the load generator's arguments for it.
prepare() {
    local port="$1" workload="$2" sha
    redis-cli -p "$port" FLUSHALL >/dev/null
    case "$workload" in
        publish100) echo "--subscribers 100 --channel news PUBLISH news hello-subscribers" ;;
        xadd) echo "XADD stream * field value" ;;
        xreadgroup)
            awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++) printf "*5\r\n$4\r\nXADD\r\n$6\r\nstream\r\n$1\r\n*\r\n$5\r\nfield\r\n$5\r\nvalue\r\n" }' |
                redis-cli -p "$port" --pipe >/dev/null
            redis-cli -p "$port" XGROUP CREATE stream group 0 >/dev/null
            echo "XREADGROUP GROUP group consumer COUNT 1 STREAMS stream >"
            ;;
        evalsha)
            sha="$(redis-cli -p "$port" SCRIPT LOAD "$SCRIPT")"
            echo "EVALSHA $sha 1 key value"
            ;;
        multi3) echo "MULTI ; SET a 1 ; SET b 2 ; SET c 3 ; EXEC" ;;
        *) die "unknown workload $workload" ;;
    esac
}

# bench_workload NAME PORT PID SEQ WORKLOAD: one run of WORKLOAD, appended to
# $RESULTS with the server's CPU time per request.
bench_workload() {
    local name="$1" port="$2" pid="$3" seq="$4" workload="$5" before after row args
    read -r -a args <<<"$(prepare "$port" "$workload")"
    before="$(cpu_ticks "$pid")"
    if ! row="$( (exec_pinned "$CLIENT_CPU" "$LOADGEN" -p "$port" -n "$N" -c 50 "${args[@]}") 2>&1)"; then
        log "warning: $name failed $workload: $row"
        return
    fi
    after="$(cpu_ticks "$pid")"
    # row: requests,seconds,rps,p50_ms,p99_ms
    echo "$row" | awk -F, -v server="$name" -v seq="$seq" -v test="$workload" \
        -v cpu="$(((after - before) * TICK_US))" \
        '{ printf "%s,%d,%s,%s,%s,%s,%.3f\n", server, seq, test, $3, $4, $5, cpu / $1 }' >>"$RESULTS"
}

log "$ROUNDS rounds, N=$N"
start_server rkv "$RKV"
RKV_PORT="$SERVER_PORT"
RKV_PID="$SERVER_PID"
start_server redis "$REDIS"
REDIS_PORT="$SERVER_PORT"
REDIS_PID="$SERVER_PID"
for round in $(seq 1 "$ROUNDS"); do
    log "round $round/$ROUNDS"
    seq=0
    for workload in "${WORKLOADS[@]}"; do
        seq=$((seq + 1))
        # The two servers run each workload back to back, the first one
        # alternating by round: a shared machine drifts less between them.
        if [ $((round % 2)) -eq 1 ]; then
            bench_workload rkv "$RKV_PORT" "$RKV_PID" "$seq" "$workload"
            bench_workload redis "$REDIS_PORT" "$REDIS_PID" "$seq" "$workload"
        else
            bench_workload redis "$REDIS_PORT" "$REDIS_PID" "$seq" "$workload"
            bench_workload rkv "$RKV_PORT" "$RKV_PID" "$seq" "$workload"
        fi
    done
done
stop_servers

echo "## Messaging, streams, scripts, transactions (median of $ROUNDS rounds, N=$N, 50 clients, P1)"
echo
echo "Ratios are rkv / redis: above 1 means rkv has more throughput, more latency, or spends more server CPU per request."
echo "publish100: PUBLISH with 100 subscribers on the channel (each request is delivered 100 times);"
echo "multi3: one request is MULTI, 3 SETs, EXEC."
echo
throughput_table "$RESULTS"
echo
echo "Raw results: $RESULTS"
