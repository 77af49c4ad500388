#!/usr/bin/env bash
# Throughput, latency and memory of rkv-server against redis-server.
#
# Not a test: an engineer runs it on a quiet machine with at least 2 CPUs.
# Servers are pinned to CPU 0 and redis-benchmark to CPU 1.
#
#   bench/compare.sh                          # build rkv-server --release, compare
#   N=20000 ROUNDS=1 KEYS=100000 bench/compare.sh    # quick run
#   RKV_BIN="$(command -v redis-server)" bench/compare.sh   # redis vs redis
#
# Environment: N (requests per benchmark, default 100000), ROUNDS (default 3),
# KEYS (keys loaded for the memory comparison, default 1000000; 0 skips it),
# WORKLOADS, RKV_BIN,
# REDIS_BIN, SERVER_CPU, CLIENT_CPU, BENCH_OUT (raw results, default bench/out).
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

N="${N:-100000}"
ROUNDS="${ROUNDS:-3}"
KEYS="${KEYS:-1000000}"
# "pipeline:tests" pairs, each one redis-benchmark run; WORKLOADS (space
# separated) overrides them, e.g. WORKLOADS="1:lpush,rpop" bench/compare.sh.
read -r -a WORKLOADS <<<"${WORKLOADS:-1:set,get,incr,mset 16:set,get}"

for tool in redis-server redis-cli redis-benchmark awk; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (apt-get install redis-server redis-tools)"
done

RKV="$(rkv_binary)"
REDIS="${REDIS_BIN:-$(command -v redis-server)}"
[ -x "$RKV" ] || die "rkv-server binary not found at $RKV"
trap stop_servers EXIT

STAMP="$(date +%Y%m%dT%H%M%S)"
RESULTS="$BENCH_OUT/compare-$STAMP.csv"
echo "server,seq,test,rps,p50_ms,p99_ms,cpu_us_per_req" >"$RESULTS"
TICK_US=$((1000000 / $(getconf CLK_TCK)))

# bench_round NAME PORT PID: appends one round of every workload to $RESULTS,
# with the server's CPU time per request (the load generator is one
# single-threaded process, so at P1 throughput is often bound by the client,
# while CPU per request shows the server's own cost).
# Each test runs on its own, so a command the server rejects (redis-benchmark
# stops at the first error reply) loses only its own row.
bench_round() {
    local name="$1" port="$2" pid="$3" workload pipeline tests test seq=0 before after
    for workload in "${WORKLOADS[@]}"; do
        pipeline="${workload%%:*}"
        tests="${workload#*:}"
        for test in ${tests//,/ }; do
            seq=$((seq + 1))
            before="$(cpu_ticks "$pid")"
            # CSV columns: test, rps, avg, min, p50, p95, p99, max.
            if ! row="$( (exec_pinned "$CLIENT_CPU" redis-benchmark -h 127.0.0.1 -p "$port" -q --csv \
                -n "$N" -c 50 -P "$pipeline" -t "$test") 2>/dev/null | tr -d '"\r')"; then
                log "warning: $name failed '$test' with -P $pipeline; its row will show n/a"
                continue
            fi
            after="$(cpu_ticks "$pid")"
            echo "$row" | awk -F, -v server="$name" -v seq="$seq" -v p="$pipeline" \
                -v cpu="$(( (after - before) * TICK_US ))" -v n="$N" \
                'NR > 1 && NF >= 7 { printf "%s,%d,%s P%s,%s,%s,%s,%.3f\n", server, seq, $1, p, $2, $5, $7, cpu / n }' \
                >>"$RESULTS"
        done
    done
}

# memory_row NAME BINARY: loads $KEYS keys with 16-byte values into a fresh
# server and prints "name keys used_memory used_memory_rss delta_used delta_rss".
memory_row() {
    local name="$1" binary="$2" port before_used before_rss
    start_server "$name" "$binary"
    port="$SERVER_PORT"
    before_used="$(info_field "$port" used_memory)"
    before_rss="$(info_field "$port" used_memory_rss)"
    gen_sets "$KEYS" 16 | (exec_pinned "$CLIENT_CPU" redis-cli -p "$port" --pipe) >/dev/null
    echo "$name $(dbsize "$port") $(info_field "$port" used_memory) \
$(info_field "$port" used_memory_rss) $before_used $before_rss"
    stop_servers
}

log "throughput: $ROUNDS rounds, N=$N"
start_server rkv "$RKV"
RKV_PORT="$SERVER_PORT"
RKV_PID="$SERVER_PID"
start_server redis "$REDIS"
REDIS_PORT="$SERVER_PORT"
REDIS_PID="$SERVER_PID"
for round in $(seq 1 "$ROUNDS"); do
    log "round $round/$ROUNDS"
    # Alternate which server goes first, so drift on a shared machine
    # (frequency, neighbours) does not always favour the same one.
    if [ $((round % 2)) -eq 1 ]; then
        bench_round rkv "$RKV_PORT" "$RKV_PID"
        bench_round redis "$REDIS_PORT" "$REDIS_PID"
    else
        bench_round redis "$REDIS_PORT" "$REDIS_PID"
        bench_round rkv "$RKV_PORT" "$RKV_PID"
    fi
done
stop_servers

echo "## Throughput and latency (median of $ROUNDS rounds, N=$N, 50 clients)"
echo
echo "Ratios are rkv / redis: above 1 means rkv has more throughput, more latency, or spends more server CPU per request."
echo
throughput_table "$RESULTS"
echo

if [ "$KEYS" -eq 0 ]; then
    exit 0
fi
log "memory: loading $KEYS keys into each server"
MEMORY="$BENCH_OUT/memory-$STAMP.txt"
memory_row rkv "$RKV" >"$MEMORY"
memory_row redis "$REDIS" >>"$MEMORY"

echo "## Memory ($KEYS keys, 16-byte values)"
echo
awk '
    function known(x) { return x != "n/a" && x != "" }
    function per_key(now, base, keys) {
        return (known(now) && known(base) && keys + 0 > 0) ? sprintf("%.1f", (now - base) / keys) : "n/a"
    }
    {
        keys[$1] = $2
        used[$1] = per_key($3, $5, $2)
        rss[$1] = per_key($4, $6, $2)
        printf "| %s | %s | %s | %s |\n", $1, $2, used[$1], rss[$1]
    }
    END {
        ur = (used["redis"] + 0 > 0 && known(used["rkv"])) ? sprintf("%.2f", used["rkv"] / used["redis"]) : "n/a"
        rr = (rss["redis"] + 0 > 0 && known(rss["rkv"])) ? sprintf("%.2f", rss["rkv"] / rss["redis"]) : "n/a"
        printf "| rkv / redis | | %s | %s |\n", ur, rr
    }' "$MEMORY" |
    { echo "| server | keys (DBSIZE) | used_memory bytes/key | used_memory_rss bytes/key |"; echo "|---|---:|---:|---:|"; cat; }
echo
echo "Bytes per key are growth over the empty server. Raw results: $RESULTS, $MEMORY"
