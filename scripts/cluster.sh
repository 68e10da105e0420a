#!/usr/bin/env bash
# Runs a vecnode cluster on this machine, one process per role (docs/cluster.md, "Running" and "Distribution"):
#   rootcoord, lognode, querycoord, datacoord, indexcoord, N query nodes, D data nodes, K index nodes, M proxies,
#   and a gateway (HTTP load balancer) in front of the proxies on port 8000 (the seed's NGINX).
#
#   scripts/cluster.sh up      [--dir DIR] [--query-nodes N] [--data-nodes D] [--index-nodes K] [--proxies M] [--gateway HOST:PORT] [--base-port PORT]
#   scripts/cluster.sh status  [--dir DIR]          one line per process: name, role, address, pid, state, health
#   scripts/cluster.sh down    [--dir DIR]
#   scripts/cluster.sh kill    NAME [--dir DIR]     SIGKILL one process (e.g. querynode-2, proxy-1)
#   scripts/cluster.sh drain   NAME [--dir DIR]     SIGTERM a query node and wait for it to exit: it first asks
#                                                   the querycoord to move its shard copies elsewhere (≤ 30 s)
#   scripts/cluster.sh restart NAME [--dir DIR]     start it again with the arguments `up` gave it
#   scripts/cluster.sh logs    NAME [--dir DIR]     its log (tail -n 50)
#
# Everything lives in DIR (default ./vecnode-cluster): data/<name>/ per process, logs/<name>.log,
# pids/<name>.pid, args/<name> (the process's command-line arguments, for `restart`), and the cluster secret in
# `secret` (generated on first `up` unless VECNODE_CLUSTER_SECRET is set). Ports from BASE (default 19600):
# rootcoord BASE, lognode BASE+1, querycoord BASE+2, datacoord BASE+3, indexcoord BASE+4, query node i BASE+10+i,
# proxy i HTTP BASE+100+i, data node i BASE+200+i, index node i BASE+300+i (2 data and 2 index nodes by default);
# the gateway on --gateway (default 127.0.0.1:8000). Every process but the gateway gets `--object-store
# DIR/objects`, the one shared object store (data nodes write flushed shards there, index nodes add their index
# objects, query nodes load them). `up` returns once the gateway's GET /health answers 200.
# `down` sends SIGTERM (gateway and proxies first, rootcoord last), waits up to 20 s per process, then SIGKILL.
# The binary is $VECNODE_BIN, else .build/release/vecnode (built with `swift build -c release` if missing).
set -euo pipefail

cd "$(dirname "$0")/.."
command=${1:-}
[ -n "$command" ] && shift || true
target=
case "$command" in kill|restart|logs|drain) target=${1:-}; [ -n "$target" ] && shift || true ;; esac
dir=./vecnode-cluster
query_nodes=3
data_nodes=2
index_nodes=2
proxies=2
gateway=127.0.0.1:8000
base_port=19600
while [ $# -gt 0 ]; do
    case "$1" in
        --dir) dir=$2; shift 2 ;;
        --query-nodes) query_nodes=$2; shift 2 ;;
        --data-nodes) data_nodes=$2; shift 2 ;;
        --index-nodes) index_nodes=$2; shift 2 ;;
        --proxies) proxies=$2; shift 2 ;;
        --gateway) gateway=$2; shift 2 ;;
        --base-port) base_port=$2; shift 2 ;;
        *) echo "cluster.sh: unknown option '$1'" >&2; exit 2 ;;
    esac
done
count_ok() { case "$2" in ''|*[!0-9]*) echo "cluster.sh: $1 must be a number" >&2; exit 2 ;; esac
             [ "$2" -ge 1 ] && [ "$2" -le "$3" ] || { echo "cluster.sh: $1 must be 1...$3" >&2; exit 2; }; }
count_ok --query-nodes "$query_nodes" 64
count_ok --data-nodes "$data_nodes" 64
count_ok --proxies "$proxies" 64
count_ok --index-nodes "$index_nodes" 64
count_ok --base-port "$base_port" 65000

# Process names in start order (down uses the reverse).
names() {
    echo rootcoord lognode querycoord datacoord indexcoord
    for i in $(seq 1 "$query_nodes"); do echo "querynode-$i"; done
    for i in $(seq 1 "$data_nodes"); do echo "datanode-$i"; done
    for i in $(seq 1 "$index_nodes"); do echo "indexnode-$i"; done
    for i in $(seq 1 "$proxies"); do echo "proxy-$i"; done
    echo gateway
}

# The processes `up` recorded in args/, in start order (so the other commands need no counts).
recorded() {
    [ -d "$dir/args" ] || return 0
    for name in rootcoord lognode querycoord datacoord indexcoord; do [ -f "$dir/args/$name" ] && echo "$name"; done
    ls "$dir/args" | sed -n 's/^\(querynode-[0-9]*\)$/\1/p' | sort -t- -k2 -n
    ls "$dir/args" | sed -n 's/^\(datanode-[0-9]*\)$/\1/p' | sort -t- -k2 -n
    ls "$dir/args" | sed -n 's/^\(indexnode-[0-9]*\)$/\1/p' | sort -t- -k2 -n
    ls "$dir/args" | sed -n 's/^\(proxy-[0-9]*\)$/\1/p' | sort -t- -k2 -n
    [ -f "$dir/args/gateway" ] && echo gateway
    return 0
}

pid_of() { local f="$dir/pids/$1.pid"; [ -f "$f" ] && cat "$f" || true; }
alive() { local pid; pid=$(pid_of "$1"); [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }
http_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$1/health" 2>/dev/null || true; }
# The value after FLAG in a process's recorded arguments.
arg_of() { local f="$dir/args/$1"; [ -f "$f" ] && awk -v flag="$2" 'prev == flag { print; exit } { prev = $0 }' "$f" || true; }

binary() {
    local bin=${VECNODE_BIN:-.build/release/vecnode}
    if [ ! -x "$bin" ]; then
        echo "building $bin (swift build -c release --product vecnode)…" >&2
        swift build -c release --product vecnode >&2
    fi
    echo "$bin"
}

secret() {
    if [ -z "${VECNODE_CLUSTER_SECRET:-}" ]; then
        [ -f "$dir/secret" ] || (umask 077; head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/secret")
        VECNODE_CLUSTER_SECRET=$(cat "$dir/secret")
    fi
    export VECNODE_CLUSTER_SECRET
}

# Starts NAME with the arguments recorded in args/NAME (one per line).
launch() {
    local name=$1 bin=$2
    local args=()
    mapfile -t args < "$dir/args/$name"
    nohup "$bin" "${args[@]}" >> "$dir/logs/$name.log" 2>&1 < /dev/null &
    echo $! > "$dir/pids/$name.pid"
    echo "started $name (pid $!, log $dir/logs/$name.log)"
}

up() {
    local bin; bin=$(binary)
    mkdir -p "$dir/data" "$dir/logs" "$dir/pids" "$dir/args" "$dir/objects"
    secret
    local root=127.0.0.1:$base_port upstreams=""
    for i in $(seq 1 "$proxies"); do upstreams+="${upstreams:+,}127.0.0.1:$((base_port + 100 + i))"; done
    for name in $(names); do
        if alive "$name"; then echo "$name already running (pid $(pid_of "$name"))"; continue; fi
        local args=(--data-dir "$dir/data/$name")
        [ "$name" = gateway ] || args+=(--object-store "$dir/objects")
        case "$name" in
            rootcoord) args+=(--role rootcoord --listen "$root") ;;
            lognode) args+=(--role lognode --listen "127.0.0.1:$((base_port + 1))" --rootcoord "$root") ;;
            querycoord) args+=(--role querycoord --listen "127.0.0.1:$((base_port + 2))" --rootcoord "$root") ;;
            datacoord) args+=(--role datacoord --listen "127.0.0.1:$((base_port + 3))" --rootcoord "$root") ;;
            datanode-*) args+=(--role datanode --listen "127.0.0.1:$((base_port + 200 + ${name#datanode-}))" --rootcoord "$root") ;;
            indexcoord) args+=(--role indexcoord --listen "127.0.0.1:$((base_port + 4))" --rootcoord "$root") ;;
            indexnode-*) args+=(--role indexnode --listen "127.0.0.1:$((base_port + 300 + ${name#indexnode-}))" --rootcoord "$root") ;;
            querynode-*) args+=(--role querynode --listen "127.0.0.1:$((base_port + 10 + ${name#querynode-}))" --rootcoord "$root") ;;
            proxy-*) args+=(--role proxy --http "127.0.0.1:$((base_port + 100 + ${name#proxy-}))" --rootcoord "$root") ;;
            gateway) args+=(--role gateway --listen "$gateway" --upstreams "$upstreams") ;;
        esac
        printf '%s\n' "${args[@]}" > "$dir/args/$name"
        launch "$name" "$bin"
    done
    for _ in $(seq 1 150); do
        if [ "$(http_code "$gateway")" = 200 ]; then echo "cluster up: HTTP API on http://$gateway (gateway)"; return 0; fi
        for name in $(names); do
            alive "$name" || { echo "cluster.sh: $name exited; its log:" >&2; tail -5 "$dir/logs/$name.log" >&2; exit 1; }
        done
        sleep 0.2
    done
    echo "cluster.sh: no healthy answer from http://$gateway/health within 30 s; see $dir/logs" >&2
    exit 1
}

# Like `docker ps`: one row per process. Health: HTTP roles answer GET /health; wire roles are "up" when their
# port accepts connections.
status() {
    local running=0 total=0
    printf '%-14s %-11s %-22s %-8s %-8s %s\n' NAME ROLE ADDRESS PID STATE HEALTH
    for name in $(recorded); do
        total=$((total + 1))
        local role addr pid state health
        role=$(arg_of "$name" --role)
        addr=$(arg_of "$name" --http); [ -n "$addr" ] || addr=$(arg_of "$name" --listen)
        pid=$(pid_of "$name"); [ -n "$pid" ] || pid=-
        if alive "$name"; then
            running=$((running + 1)); state=running
            case "$role" in
                proxy|gateway) health=$(http_code "$addr"); [ "$health" = 200 ] && health=healthy || health="unhealthy ($health)" ;;
                *) if (exec 3<>"/dev/tcp/${addr%:*}/${addr##*:}") 2>/dev/null; then health=listening; else health="not listening"; fi ;;
            esac
        else
            state=stopped; health=-
        fi
        printf '%-14s %-11s %-22s %-8s %-8s %s\n' "$name" "$role" "$addr" "$pid" "$state" "$health"
    done
    [ "$total" -gt 0 ] || echo "no cluster recorded in $dir"
    [ "$total" -gt 0 ] && [ "$running" -eq "$total" ]
}

stop_one() {
    local name=$1 signal=$2 pid; pid=$(pid_of "$name")
    [ -n "$pid" ] || return 0
    if kill -0 "$pid" 2>/dev/null; then
        kill "-$signal" "$pid"
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        if kill -0 "$pid" 2>/dev/null; then echo "$name did not stop in 20 s: SIGKILL"; kill -KILL "$pid"; fi
        echo "stopped $name ($signal)"
    fi
    rm -f "$dir/pids/$name.pid"
}

# SIGTERM a query node and wait (up to 60 s) for it to exit: on SIGTERM it drains itself (DrainQueryNode to the
# querycoord, bounded by 30 s), so its shards are served elsewhere, without a gap, before it deregisters.
drain_one() {
    local name=$1 pid
    case "$name" in querynode-*) ;; *) echo "cluster.sh: drain takes a query node (querynode-N), not '$name'" >&2; exit 2 ;; esac
    pid=$(pid_of "$name")
    if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then echo "$name is not running"; rm -f "$dir/pids/$name.pid"; return 0; fi
    local start=$SECONDS
    kill -TERM "$pid"
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then echo "$name did not exit in 60 s after SIGTERM: SIGKILL"; kill -KILL "$pid"; fi
    rm -f "$dir/pids/$name.pid"
    echo "drained and stopped $name in $((SECONDS - start)) s; from its log:"
    grep -E 'drain|stopped' "$dir/logs/$name.log" | tail -n 3 || true
}

# Newest first, except that the query coordinator stops before the query nodes: a query node drains itself on
# SIGTERM while a query coordinator is live (see drain_one), which a full shutdown does not want.
down() {
    local order; order=$(recorded | tac)
    for name in $order; do
        case "$name" in querynode-*|querycoord|datacoord|lognode|rootcoord) ;; *) stop_one "$name" TERM ;; esac
    done
    stop_one querycoord TERM
    for name in $order; do case "$name" in querynode-*) stop_one "$name" TERM ;; esac; done
    for name in datacoord lognode rootcoord; do stop_one "$name" TERM; done
}

need_target() {
    [ -n "$target" ] || { echo "cluster.sh: $command needs a process name, e.g. querynode-1; see 'status'" >&2; exit 2; }
    [ -f "$dir/args/$target" ] || { echo "cluster.sh: no process '$target' in $dir (known: $(recorded | tr '\n' ' '))" >&2; exit 2; }
}

case "$command" in
    up) up ;;
    down) down ;;
    status) status ;;
    kill) need_target; stop_one "$target" KILL ;;
    restart) need_target
             if alive "$target"; then stop_one "$target" TERM; fi
             secret; launch "$target" "$(binary)" ;;
    logs) need_target; tail -n 50 "$dir/logs/$target.log" ;;
    drain) need_target; drain_one "$target" ;;
    *) echo "usage: scripts/cluster.sh up|down|status|kill NAME|drain NAME|restart NAME|logs NAME [--dir DIR] [--query-nodes N] [--data-nodes D] [--index-nodes K] [--proxies M] [--gateway HOST:PORT] [--base-port PORT]" >&2
       exit 2 ;;
esac
