#!/usr/bin/env bash
# Replication, rkv-server against redis-server in the same topology: SET
# throughput on a master with two replicas, the replicas' lag under that
# load, and the time a fresh replica takes to fully sync a 1M-key master.
#
#   bench/replication.sh
#   ROUNDS=1 REQUESTS=50000 SYNC_KEYS=100000 bench/replication.sh    # quick
#   RKV_BIN="$(command -v redis-server)" bench/replication.sh         # check the script
#
# Each round starts a master and two replicas of one kind (rkv, then redis,
# alternating which goes first), waits for both links to be up, and runs
# redis-benchmark SET (CLIENTS connections, random keys) against the master
# while rkv-replag samples every replica's offset against the master's.
# Lag is in bytes of the replication stream (master_repl_offset minus the
# replica's). The master is pinned to CPU 0, redis-benchmark and the
# sampler to CPU 1, and the replicas may run on either, identically for
# both servers. Full sync: a
# master holding SYNC_KEYS keys (16-byte values), a fresh
# replica told REPLICAOF, timed until master_link_status:up, with the
# Redis 7 default diskless transfer (delay 0) and disk-based.
#
# Environment: ROUNDS, REQUESTS, CLIENTS, SYNC_KEYS, RKV_BIN, REDIS_BIN,
# BENCH_OUT.
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

ROUNDS="${ROUNDS:-3}"
REQUESTS="${REQUESTS:-300000}"
CLIENTS="${CLIENTS:-50}"
SYNC_KEYS="${SYNC_KEYS:-1000000}"
export START_TICKS=6000

for tool in redis-server redis-cli redis-benchmark awk; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (apt-get install redis-server redis-tools)"
done

RKV="$(rkv_binary)"
REDIS="${REDIS_BIN:-$(command -v redis-server)}"
[ -x "$RKV" ] || die "rkv-server binary not found at $RKV"
log "building rkv-replag (release)"
(cd "$BENCH_ROOT" && cargo build -q --release -p rkv-loadgen --bin rkv-replag) >&2
REPLAG="${CARGO_TARGET_DIR:-$BENCH_ROOT/target}/release/rkv-replag"

STAMP="$(date +%Y%m%dT%H%M%S)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/rkv-bench-replication.XXXXXX")"
trap 'stop_servers; rm -rf "$WORK"' EXIT

# wait_link_up PORT: waits until the replica on PORT reports its link up.
wait_link_up() {
    for _ in $(seq 1 12000); do
        if [ "$(info_field "$1" master_link_status)" = "up" ]; then
            return
        fi
        sleep 0.01
    done
    die "replica on port $1 never reached master_link_status:up"
}

# topology_round NAME BINARY ROUND: prints "name round rps p50 p99 samples
# lag_p50 lag_p99 lag_max catch_up_ms".
topology_round() {
    local name="$1" binary="$2" round="$3" master r1 r2 row lag
    SERVER_CPU=0 start_server "$name-master" "$binary"
    master="$SERVER_PORT"
    redis-cli -p "$master" CONFIG SET repl-diskless-sync-delay 0 >/dev/null
    SERVER_CPU=0-1 start_server "$name-replica1" "$binary"
    r1="$SERVER_PORT"
    SERVER_CPU=0-1 start_server "$name-replica2" "$binary"
    r2="$SERVER_PORT"
    redis-cli -p "$r1" REPLICAOF 127.0.0.1 "$master" >/dev/null
    redis-cli -p "$r2" REPLICAOF 127.0.0.1 "$master" >/dev/null
    wait_link_up "$r1"
    wait_link_up "$r2"
    (exec_pinned "$CLIENT_CPU" "$REPLAG" --master "$master" --replica "$r1" --replica "$r2") \
        >"$WORK/lag-$name-$round.txt" &
    local sampler=$!
    # CSV columns: test, rps, avg, min, p50, p95, p99, max.
    row="$( (exec_pinned "$CLIENT_CPU" redis-benchmark -h 127.0.0.1 -p "$master" -q --csv \
        -t set -c "$CLIENTS" -n "$REQUESTS" -r 1000000) | tr -d '"\r' | awk -F, 'NR > 1 { print $2, $5, $7 }')"
    wait "$sampler"
    lag="$(tr ',' ' ' <"$WORK/lag-$name-$round.txt")"
    [ "$(dbsize "$master")" = "$(dbsize "$r1")" ] || die "$name replica 1 diverged"
    [ "$(dbsize "$master")" = "$(dbsize "$r2")" ] || die "$name replica 2 diverged"
    echo "$name $round $row $lag"
    stop_servers
}

# full_sync NAME BINARY DISKLESS: prints "name diskless keys seconds".
full_sync() {
    local name="$1" binary="$2" diskless="$3" master replica started secs
    SERVER_CPU=0 start_server "$name-sync-master" "$binary"
    master="$SERVER_PORT"
    redis-cli -p "$master" CONFIG SET repl-diskless-sync "$diskless" >/dev/null
    redis-cli -p "$master" CONFIG SET repl-diskless-sync-delay 0 >/dev/null
    (exec_pinned "$CLIENT_CPU" redis-cli -p "$master" --pipe) <"$WORK/sync.resp" >/dev/null
    SERVER_CPU=0-1 start_server "$name-sync-replica" "$binary"
    replica="$SERVER_PORT"
    started="$(date +%s.%N)"
    redis-cli -p "$replica" REPLICAOF 127.0.0.1 "$master" >/dev/null
    wait_link_up "$replica"
    secs="$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')"
    [ "$(dbsize "$replica")" = "$SYNC_KEYS" ] || die "$name replica holds $(dbsize "$replica") keys, not $SYNC_KEYS"
    echo "$name $diskless $SYNC_KEYS $secs"
    stop_servers
}

for round in $(seq 1 "$ROUNDS"); do
    if [ $((round % 2)) = 1 ]; then order="rkv redis"; else order="redis rkv"; fi
    for name in $order; do
        if [ "$name" = rkv ]; then bin="$RKV"; else bin="$REDIS"; fi
        topology_round "$name" "$bin" "$round"
    done
done | tee "$WORK/load.txt"

gen_sets "$SYNC_KEYS" 16 >"$WORK/sync.resp"
for round in $(seq 1 "$ROUNDS"); do
    for diskless in yes no; do
        full_sync rkv "$RKV" "$diskless"
        full_sync redis "$REDIS" "$diskless"
    done
done | tee "$WORK/sync.txt"

RESULTS="$BENCH_OUT/replication-$STAMP.txt"
{
    echo "## SET on a master with 2 replicas (medians of $ROUNDS rounds)"
    echo
    echo "| metric | rkv | redis | ratio |"
    echo "|---|---:|---:|---:|"
    awk '
        function median(list,   v, n, i, j, t) {
            n = split(list, v, " ")
            for (i = 2; i <= n; i++)
                for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
            return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
        }
        function row(label, col,   k, r) {
            k = median(vals["rkv", col]); r = median(vals["redis", col])
            printf "| %s | %s | %s | %s |\n", label, k, r, (r + 0 > 0 ? sprintf("%.2f", k / r) : "n/a")
        }
        { for (c = 3; c <= NF; c++) vals[$1, c] = vals[$1, c] " " $c }
        END {
            row("SET rps", 3); row("SET p50 ms", 4); row("SET p99 ms", 5)
            row("lag p50 bytes", 7); row("lag p99 bytes", 8); row("lag max bytes", 9)
            row("catch-up after load ms", 10)
        }' "$WORK/load.txt"
    echo
    echo "## Full sync of $SYNC_KEYS keys to a fresh replica (seconds, medians)"
    echo
    echo "| transfer | rkv s | redis s | ratio |"
    echo "|---|---:|---:|---:|"
    awk '
        function median(list,   v, n, i, j, t) {
            n = split(list, v, " ")
            for (i = 2; i <= n; i++)
                for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
            return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
        }
        { s[$1, $2] = s[$1, $2] " " $4 }
        END {
            split("yes no", modes, " ")
            for (i = 1; i <= 2; i++) {
                m = modes[i]; k = median(s["rkv", m]); r = median(s["redis", m])
                printf "| %s | %s | %s | %s |\n", (m == "yes" ? "diskless" : "disk"), k, r, (r + 0 > 0 ? sprintf("%.2f", k / r) : "n/a")
            }
        }' "$WORK/sync.txt"
} | tee "$RESULTS"
log "results in $RESULTS"
