#!/usr/bin/env bash
# PING latency while one huge key is deleted, rkv-server against
# redis-server: a MEMBERS-member set, sorted set and hash, each deleted
# with UNLINK, with DEL under lazyfree-lazy-user-del yes (both should free
# it on a background thread and keep PING fast) and with plain DEL (freed
# inline: the contrast). The issue's bar: PING's max latency under 5 ms
# with UNLINK and with lazy DEL, for 10M members.
#
# Each run builds the key through redis-cli --pipe (1000 members per
# command), starts a probe PINGing back to back on its own connection
# (bench/ping_probe.py), waits WARMUP seconds, sends the delete, then waits
# until the key is gone and INFO says lazyfree_pending_objects:0 (the
# background free is over), and TAIL seconds more. The table reports PING
# round trips sent from the delete's start until the free was over: max,
# p99, p50 and count, with how long the delete's own reply took and how
# long until memory was freed.
#
# The server's threads (its background free thread included) inherit its
# pinning to SERVER_CPU: with one CPU there, the free thread takes turns
# with the main thread on it. Give SERVER_CPU a list (e.g. 0,2 on a
# machine with four CPUs) to let them run side by side, as Redis is meant
# to be deployed.
#
#   bench/unlink_latency.sh                                      # full size, 10M members
#   MEMBERS=100000 RKV_BIN=target/debug/rkv-server bench/unlink_latency.sh   # quick check
#
# Mode "idle" is the control: the key is built and the probe runs for
# IDLE seconds with no delete at all, so the table shows how far this
# machine's own noise (scheduling of the probe, the server, the VM) takes
# PING's max latency when the server has nothing else to do.
#
# Environment: MEMBERS (default 10000000), TYPES (default "set zset hash"),
# MODES (default "idle unlink del-lazy del"), IDLE (default 3), WARMUP (default 0.5), TAIL
# (default 0.2), RKV_BIN, REDIS_BIN, SERVER_CPU, CLIENT_CPU, BENCH_OUT,
# BENCH_PORT_BASE.
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

MEMBERS="${MEMBERS:-10000000}"
TYPES="${TYPES:-set zset hash}"
MODES="${MODES:-idle unlink del-lazy del}"
IDLE="${IDLE:-3}"
WARMUP="${WARMUP:-0.5}"
TAIL="${TAIL:-0.2}"
PROBE="$(dirname "$0")/ping_probe.py"

for tool in redis-server redis-cli python3 awk; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (apt-get install redis-server redis-tools python3)"
done

RKV="$(rkv_binary)"
REDIS="${REDIS_BIN:-$(command -v redis-server)}"
[ -x "$RKV" ] || die "rkv-server binary not found at $RKV"

STAMP="$(date +%Y%m%dT%H%M%S)"
RESULTS="$BENCH_OUT/unlink-latency-$STAMP.csv"
SAMPLES="$BENCH_OUT/unlink-probe-$STAMP.txt"
PROBE_PID=""
cleanup() {
    if [ -n "$PROBE_PID" ]; then kill "$PROBE_PID" 2>/dev/null || true; fi
    stop_servers
    rm -f "$SAMPLES"
}
trap cleanup EXIT

# gen_members TYPE: RESP commands building key "big" of TYPE with
# MEMBERS members, 1000 per command.
gen_members() {
    awk -v type="$1" -v n="$MEMBERS" 'BEGIN {
        cmd["set"] = "SADD"; cmd["zset"] = "ZADD"; cmd["hash"] = "HSET"
        per = (type == "set") ? 1 : 2
        for (i = 0; i < n; i += 1000) {
            k = (n - i < 1000) ? n - i : 1000
            printf "*%d\r\n$%d\r\n%s\r\n$3\r\nbig\r\n", 2 + k * per, length(cmd[type]), cmd[type]
            for (j = i; j < i + k; j++) {
                m = "member:" j
                if (type == "zset") printf "$%d\r\n%d\r\n", length(j ""), j
                printf "$%d\r\n%s\r\n", length(m), m
                if (type == "hash") printf "$%d\r\n%d\r\n", length(j ""), j
            }
        }
    }'
}

# card PORT TYPE: the member count of "big".
card() {
    local c
    case "$2" in
    set) c=SCARD ;;
    zset) c=ZCARD ;;
    hash) c=HLEN ;;
    esac
    redis-cli -p "$1" "$c" big
}

now_ns() { date +%s%N; }

# run_one PORT TYPE MODE: prints "delete_ms free_ms pings max_ms p99_ms
# p50_ms over5" (over5: PINGs slower than 5 ms).
run_one() {
    local port="$1" type="$2" mode="$3" lazy=no cmd=UNLINK t0 t1 t2 n
    case "$mode" in
    unlink | idle) ;;
    del-lazy) cmd=DEL lazy=yes ;;
    del) cmd=DEL ;;
    *) die "unknown mode $mode" ;;
    esac
    redis-cli -p "$port" CONFIG SET lazyfree-lazy-user-del "$lazy" >/dev/null
    redis-cli -p "$port" DEL big >/dev/null
    gen_members "$type" | redis-cli -p "$port" --pipe >/dev/null
    n="$(card "$port" "$type")"
    [ "$n" = "$MEMBERS" ] || die "built $n members instead of $MEMBERS"
    (exec_pinned "$CLIENT_CPU" python3 "$PROBE" "$port" "$SAMPLES") &
    PROBE_PID=$!
    sleep "$WARMUP"
    t0="$(now_ns)"
    if [ "$mode" = idle ]; then
        t1="$t0"
        sleep "$IDLE"
    else
        redis-cli -p "$port" "$cmd" big >/dev/null
        t1="$(now_ns)"
        while [ "$(info_field "$port" lazyfree_pending_objects)" != 0 ]; do
            sleep 0.01
        done
    fi
    t2="$(now_ns)"
    sleep "$TAIL"
    kill "$PROBE_PID"
    wait "$PROBE_PID" || true
    PROBE_PID=""
    if [ "$mode" = idle ]; then
        redis-cli -p "$port" UNLINK big >/dev/null
        while [ "$(info_field "$port" lazyfree_pending_objects)" != 0 ]; do sleep 0.01; done
    fi
    [ "$(redis-cli -p "$port" EXISTS big)" = 0 ] || die "big still exists after $cmd"
    awk -v t0="$t0" -v t1="$t1" -v t2="$t2" '
        # Only PINGs sent while the delete or its background free ran.
        $1 >= t0 && $1 <= t2 { v[++n] = $2 / 1e6 }
        END {
            # Insertion sort would be slow for big n: count into 10 us buckets.
            for (i = 1; i <= n; i++) { b = int(v[i] * 100); h[b]++; if (v[i] > max) max = v[i]; if (v[i] > 5) over5++ }
            p99 = p50 = 0; seen = 0
            for (b = 0; seen < n; b++) {
                seen += h[b]
                if (!p50 && seen >= n * 0.5) p50 = (b + 1) / 100
                if (!p99 && seen >= n * 0.99) p99 = (b + 1) / 100
            }
            printf "%.1f %.1f %d %.3f %.2f %.2f %d\n", (t1 - t0) / 1e6, (t2 - t0) / 1e6, n, max, p99, p50, over5
        }' "$SAMPLES"
}

echo "server,type,mode,members,delete_ms,free_ms,pings,max_ms,p99_ms,p50_ms,over5" >"$RESULTS"
for server in rkv redis; do
    binary="$RKV"
    [ "$server" = redis ] && binary="$REDIS"
    start_server "$server" "$binary"
    for type in $TYPES; do
        for mode in $MODES; do
            read -r delete_ms free_ms pings max p99 p50 over5 < <(run_one "$SERVER_PORT" "$type" "$mode")
            echo "$server,$type,$mode,$MEMBERS,$delete_ms,$free_ms,$pings,$max,$p99,$p50,$over5" >>"$RESULTS"
            log "$server $type $mode: delete ${delete_ms} ms, freed after ${free_ms} ms, PING max ${max} ms p99 ${p99} ms ($pings PINGs)"
        done
    done
    stop_servers
done

echo
echo "## PING latency while deleting a $MEMBERS-member key"
echo
echo "| type | delete | rkv PING max ms | redis PING max ms | rkv p99 ms | redis p99 ms | rkv PINGs > 5 ms | redis PINGs > 5 ms | rkv PINGs | redis PINGs | rkv delete ms | redis delete ms | rkv freed after ms | redis freed after ms |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
awk -F, 'NR > 1 { k = $2 "," $3; if (!(k in seen)) { order[++n] = k; seen[k] = 1 }
        mx[$1, k] = $8; p[$1, k] = $9; c[$1, k] = $7; d[$1, k] = $5; f[$1, k] = $6; o[$1, k] = $11 }
    END {
        for (i = 1; i <= n; i++) {
            k = order[i]; split(k, tm, ",")
            printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", tm[1], tm[2],
                mx["rkv", k], mx["redis", k], p["rkv", k], p["redis", k], o["rkv", k], o["redis", k], c["rkv", k], c["redis", k],
                d["rkv", k], d["redis", k], f["rkv", k], f["redis", k]
        }
    }' "$RESULTS"
echo
echo "Raw results: $RESULTS"
