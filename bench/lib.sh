# shellcheck shell=bash
# Shared helpers for the benchmark scripts in bench/ (sourced, not run).
#
# Servers run without persistence from a scratch directory, on free ports,
# pinned to CPU 0; clients are pinned to CPU 1 (when taskset exists).

BENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_OUT="${BENCH_OUT:-$BENCH_ROOT/bench/out}"
SERVER_CPU="${SERVER_CPU:-0}"
CLIENT_CPU="${CLIENT_CPU:-1}"
mkdir -p "$BENCH_OUT"

# Port of the server most recently started by start_server.
SERVER_PORT=""

# PIDs and scratch directories of servers started by start_server.
STARTED_PIDS=()
STARTED_DIRS=()

log() { echo "bench: $*" >&2; }

die() {
    log "$*"
    exit 1
}

# Replaces the current (sub)shell with "$@" pinned to CPU $1 when taskset
# is available, so a backgrounded subshell's PID is the command's own.
# Call it inside ( ... ).
exec_pinned() {
    local cpu="$1"
    shift
    if command -v taskset >/dev/null 2>&1; then
        exec taskset -c "$cpu" "$@"
    else
        exec "$@"
    fi
}

# Prints the rkv-server binary to benchmark: $RKV_BIN if set (any server
# taking redis-style arguments, e.g. "$(command -v redis-server)" to check
# these scripts), otherwise a fresh release build.
rkv_binary() {
    if [ -n "${RKV_BIN:-}" ]; then
        # Servers start from a scratch directory: a relative path must not.
        case "$RKV_BIN" in
        /*) echo "$RKV_BIN" ;;
        */*) echo "$PWD/$RKV_BIN" ;;
        *) echo "$RKV_BIN" ;;
        esac
        return
    fi
    log "building rkv-server (release)"
    (cd "$BENCH_ROOT" && cargo build -q --release -p rkv-server --bin rkv-server) >&2
    local target="${CARGO_TARGET_DIR:-$BENCH_ROOT/target}"
    echo "$target/release/rkv-server"
}

# Prints a TCP port on 127.0.0.1 that nothing answers on, below Linux's
# ephemeral range (32768+) so benchmark client sockets cannot be holding it.
# With BENCH_PORT_BASE set, ports are taken from BENCH_PORT_BASE..+99
# instead (for machines where port ranges are shared out).
free_port() {
    local port
    for _ in $(seq 1 100); do
        if [ -n "${BENCH_PORT_BASE:-}" ]; then
            port=$((BENCH_PORT_BASE + RANDOM % 100))
        else
            port=$((10000 + RANDOM % 22000))
        fi
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
    die "no free port found"
}

# start_server NAME BINARY: starts BINARY on a free port pinned to
# $SERVER_CPU, waits for PING, and sets SERVER_PORT and SERVER_DIR (its
# working directory, where dumps go). Save points are switched off (and
# redis-server's AOF); with START_DUMP set, that file is copied in first as
# dump.rdb so the server loads it.
# Must not run in a subshell, or stop_servers would not know the PID.
start_server() {
    local name="$1" binary="$2" port dir pid
    for _attempt in 1 2 3 4 5; do
        port="$(free_port)"
        dir="$(mktemp -d "${TMPDIR:-/tmp}/rkv-bench-$name.XXXXXX")"
        # A dump to start from (bench/persistence.sh measures loading).
        if [ -n "${START_DUMP:-}" ]; then
            cp "$START_DUMP" "$dir/dump.rdb"
        fi
        # rkv-server has Redis's default save points too: switch them off.
        local args=(--port "$port" --bind 127.0.0.1 --save "")
        if [ "$(basename "$binary")" = "redis-server" ]; then
            args+=(--appendonly no --dir "$dir")
        fi
        (cd "$dir" && exec_pinned "$SERVER_CPU" "$binary" "${args[@]}") \
            >"$dir/server.log" 2>&1 &
        pid=$!
        for _ in $(seq 1 "${START_TICKS:-200}"); do
            if redis-cli -p "$port" PING 2>/dev/null | grep -q PONG; then
                STARTED_PIDS+=("$pid")
                STARTED_DIRS+=("$dir")
                log "$name ($binary) on port $port, pid $pid, cpu $SERVER_CPU"
                # shellcheck disable=SC2034 # read by the sourcing script
                SERVER_PORT="$port"
                # shellcheck disable=SC2034 # read by the sourcing script
                SERVER_PID="$pid"
                # shellcheck disable=SC2034 # read by the sourcing script
                SERVER_DIR="$dir"
                return
            fi
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.05
        done
        kill "$pid" 2>/dev/null || true
        log "$name did not start on port $port:"
        cat "$dir/server.log" >&2
        rm -rf "$dir"
    done
    die "could not start $name"
}

# Stops every server this script started and removes their directories.
stop_servers() {
    local pid
    for pid in "${STARTED_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${STARTED_PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    STARTED_PIDS=()
    if [ "${#STARTED_DIRS[@]}" -gt 0 ]; then
        rm -rf "${STARTED_DIRS[@]}"
    fi
    STARTED_DIRS=()
}

# gen_sets COUNT VALUE_BYTES: writes COUNT "SET key:N <value>" commands in
# RESP to stdout, for redis-cli --pipe.
gen_sets() {
    awk -v n="$1" -v size="$2" 'BEGIN {
        value = sprintf("%0" size "d", 0)
        for (i = 0; i < n; i++) {
            key = "key:" i
            printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(key), key, size, value
        }
    }'
}

# info_field PORT FIELD: prints FIELD from INFO, or n/a if absent.
info_field() {
    local value
    value="$(redis-cli -p "$1" INFO 2>/dev/null | tr -d '\r' | awk -F: -v f="$2" '$1 == f { print $2 }')"
    echo "${value:-n/a}"
}

# dbsize PORT: prints the key count, or n/a if the server has no DBSIZE.
dbsize() {
    local keys
    keys="$(redis-cli -p "$1" DBSIZE 2>/dev/null)"
    if [[ "$keys" =~ ^[0-9]+$ ]]; then echo "$keys"; else echo n/a; fi
}

# cpu_ticks PID: user+system CPU time of PID so far, in clock ticks.
cpu_ticks() {
    awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# throughput_table CSV: prints the markdown table of medians from a CSV of
# server,seq,test,rps,p50_ms,p99_ms,cpu_us_per_req rows (rkv and redis).
throughput_table() {
    awk -F, '
        function median(list,   v, n, i, j, t) {
            n = split(list, v, " ")
            if (n == 0) return ""
            for (i = 2; i <= n; i++)
                for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) {
                    t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
                }
            return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
        }
        function ratio(a, b) { return (a != "" && b + 0 > 0) ? sprintf("%.2f", a / b) : "n/a" }
        function count(x) { return x == "" ? "n/a" : sprintf("%.0f", x) }
        NR == 1 { next }
        {
            # Rows are listed in workload order, whichever server ran them.
            order[$2] = $3
            if ($2 > tests) tests = $2
            rps[$1, $3] = rps[$1, $3] " " $4
            p50[$1, $3] = p50[$1, $3] " " $5
            p99[$1, $3] = p99[$1, $3] " " $6
            cpu[$1, $3] = cpu[$1, $3] " " $7
        }
        END {
            print "| test | rkv rps | redis rps | rps ratio | p50 ratio | p99 ratio | server CPU/req ratio |"
            print "|---|---:|---:|---:|---:|---:|---:|"
            for (i = 1; i <= tests; i++) {
                if (!(i in order)) continue
                t = order[i]
                kr = median(rps["rkv", t]); rr = median(rps["redis", t])
                k50 = median(p50["rkv", t]); r50 = median(p50["redis", t])
                k99 = median(p99["rkv", t]); r99 = median(p99["redis", t])
                kc = median(cpu["rkv", t]); rc = median(cpu["redis", t])
                printf "| %s | %s | %s | %s | %s | %s | %s |\n", t, count(kr), count(rr), ratio(kr, rr), ratio(k50, r50), ratio(k99, r99), ratio(kc, rc)
            }
        }' "$1"
}
