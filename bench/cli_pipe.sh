#!/usr/bin/env bash
# Mass insertion: `rkv-cli --pipe` against `redis-cli --pipe`, the same
# file of SET commands sent to the same server, alternating the clients.
#
# Not a test: an engineer runs it on a quiet machine with at least 2 CPUs.
# The server is pinned to CPU 0 and the client to CPU 1.
#
#   bench/cli_pipe.sh                         # 1M SETs into redis-server
#   SERVER=rkv bench/cli_pipe.sh              # ... into rkv-server
#   N=10000 ROUNDS=1 bench/cli_pipe.sh        # smoke run
#
# Environment: N (SET commands, default 1000000), VALUE_BYTES (default 16),
# ROUNDS (default 3), SERVER (redis or rkv, default redis), RKV_BIN,
# REDIS_BIN, RKV_CLI_BIN, SERVER_CPU, CLIENT_CPU, BENCH_OUT.
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

N="${N:-1000000}"
VALUE_BYTES="${VALUE_BYTES:-16}"
ROUNDS="${ROUNDS:-3}"
SERVER="${SERVER:-redis}"

for tool in redis-server redis-cli awk; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (apt-get install redis-server redis-tools)"
done
case "$SERVER" in
    redis) SERVER_BINARY="${REDIS_BIN:-$(command -v redis-server)}" ;;
    rkv) SERVER_BINARY="$(rkv_binary)" ;;
    *) die "SERVER must be redis or rkv" ;;
esac
if [ -n "${RKV_CLI_BIN:-}" ]; then
    RKV_CLI="$RKV_CLI_BIN"
else
    log "building rkv-cli (release)"
    (cd "$BENCH_ROOT" && cargo build -q --release -p rkv-cli) >&2
    RKV_CLI="${CARGO_TARGET_DIR:-$BENCH_ROOT/target}/release/rkv-cli"
fi
trap 'stop_servers; rm -f "${INPUT:-}"' EXIT

INPUT="$(mktemp "${TMPDIR:-/tmp}/rkv-bench-pipe.XXXXXX")"
log "writing $N SET commands"
gen_sets "$N" "$VALUE_BYTES" >"$INPUT"

start_server "$SERVER" "$SERVER_BINARY"
PORT="$SERVER_PORT"

STAMP="$(date +%Y%m%dT%H%M%S)"
RESULTS="$BENCH_OUT/cli_pipe-$STAMP.csv"
echo "client,round,seconds,sets_per_sec,summary" >"$RESULTS"

# one_run NAME BINARY ROUND: empties the server, pipes the file through
# BINARY --pipe, checks the key count and records the time.
one_run() {
    local name="$1" binary="$2" round="$3" start end seconds summary keys
    redis-cli -p "$PORT" FLUSHALL >/dev/null
    start="$(date +%s.%N)"
    summary="$( (exec_pinned "$CLIENT_CPU" "$binary" -p "$PORT" --pipe <"$INPUT") | tail -n 1)"
    end="$(date +%s.%N)"
    keys="$(dbsize "$PORT")"
    [ "$keys" = "$N" ] || die "$name: expected $N keys after --pipe, found $keys"
    seconds="$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }')"
    echo "$name,$round,$seconds,$(awk -v n="$N" -v s="$seconds" 'BEGIN { printf "%.0f", n / s }'),$summary" >>"$RESULTS"
    log "$name round $round: ${seconds}s ($summary)"
}

for round in $(seq 1 "$ROUNDS"); do
    one_run redis-cli "$(command -v redis-cli)" "$round"
    one_run rkv-cli "$RKV_CLI" "$round"
done

echo
echo "| client | median s | SETs/s | ratio vs redis-cli |"
echo "| --- | --- | --- | --- |"
awk -F, '
    function median(list,   v, n, i, j, t) {
        n = split(list, v, " ")
        for (i = 2; i <= n; i++)
            for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
        return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }
    NR == 1 { next }
    { times[$1] = times[$1] " " $3 }
    END {
        base = median(times["redis-cli"])
        for (c in times) {
            m = median(times[c])
            printf "| %s | %.3f | %.0f | %.2f |\n", c, m, '"$N"' / m, base / m
        }
    }' "$RESULTS" | sort
echo
log "raw results: $RESULTS"
