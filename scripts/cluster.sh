#!/usr/bin/env bash
# Runs a vecnode cluster on this machine, one process per role (docs/cluster.md, "Running"):
#   rootcoord, lognode, querycoord, N query nodes, proxy (HTTP API).
#
#   scripts/cluster.sh up     [--dir DIR] [--query-nodes N] [--http HOST:PORT] [--base-port PORT]
#   scripts/cluster.sh status [--dir DIR]
#   scripts/cluster.sh down   [--dir DIR]
#
# Everything lives in DIR (default ./vecnode-cluster): data/<name>/ per process, logs/<name>.log,
# pids/<name>.pid, and the cluster secret in `secret` (generated on first `up` unless VECNODE_CLUSTER_SECRET is
# set). Wire ports: rootcoord BASE, lognode BASE+1, querycoord BASE+2, query node i BASE+10+i (BASE default
# 19600); the proxy serves HTTP on --http (default 127.0.0.1:19530). `up` returns once GET /health answers 200.
# `down` sends SIGTERM (proxy first, rootcoord last), waits up to 20 s per process, then SIGKILL.
# The binary is $VECNODE_BIN, else .build/release/vecnode (built with `swift build -c release` if missing).
set -euo pipefail

cd "$(dirname "$0")/.."
command=${1:-}
[ -n "$command" ] && shift || true
dir=./vecnode-cluster
query_nodes=2
http=127.0.0.1:19530
base_port=19600
while [ $# -gt 0 ]; do
    case "$1" in
        --dir) dir=$2; shift 2 ;;
        --query-nodes) query_nodes=$2; shift 2 ;;
        --http) http=$2; shift 2 ;;
        --base-port) base_port=$2; shift 2 ;;
        *) echo "cluster.sh: unknown option '$1'" >&2; exit 2 ;;
    esac
done
case "$query_nodes" in ''|*[!0-9]*) echo "cluster.sh: --query-nodes must be a number" >&2; exit 2 ;; esac
[ "$query_nodes" -ge 1 ] && [ "$query_nodes" -le 64 ] || { echo "cluster.sh: --query-nodes must be 1...64" >&2; exit 2; }

# Process names in start order (down uses the reverse).
names() {
    echo rootcoord lognode querycoord
    for i in $(seq 1 "$query_nodes"); do echo "querynode-$i"; done
    echo proxy
}

# The processes `up` recorded in pids/, in start order (so down/status need no --query-nodes).
recorded() {
    [ -d "$dir/pids" ] || return 0
    for name in rootcoord lognode querycoord; do [ -f "$dir/pids/$name.pid" ] && echo "$name"; done
    ls "$dir/pids" | sed -n 's/^\(querynode-[0-9]*\)\.pid$/\1/p' | sort -t- -k2 -n
    [ -f "$dir/pids/proxy.pid" ] && echo proxy
    return 0
}

pid_of() { local f="$dir/pids/$1.pid"; [ -f "$f" ] && cat "$f" || true; }
alive() { local pid; pid=$(pid_of "$1"); [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }

health() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$http/health" 2>/dev/null || true; }

up() {
    local bin=${VECNODE_BIN:-.build/release/vecnode}
    if [ ! -x "$bin" ]; then
        echo "building $bin (swift build -c release --product vecnode)…"
        swift build -c release --product vecnode >&2
    fi
    mkdir -p "$dir/data" "$dir/logs" "$dir/pids"
    if [ -z "${VECNODE_CLUSTER_SECRET:-}" ]; then
        [ -f "$dir/secret" ] || (umask 077; head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/secret")
        VECNODE_CLUSTER_SECRET=$(cat "$dir/secret")
    fi
    export VECNODE_CLUSTER_SECRET
    local root=127.0.0.1:$base_port
    for name in $(names); do
        if alive "$name"; then echo "$name already running (pid $(pid_of "$name"))"; continue; fi
        local args=(--data-dir "$dir/data/$name")
        case "$name" in
            rootcoord) args+=(--role rootcoord --listen "$root") ;;
            lognode) args+=(--role lognode --listen "127.0.0.1:$((base_port + 1))" --rootcoord "$root") ;;
            querycoord) args+=(--role querycoord --listen "127.0.0.1:$((base_port + 2))" --rootcoord "$root") ;;
            querynode-*) args+=(--role querynode --listen "127.0.0.1:$((base_port + 10 + ${name#querynode-}))" --rootcoord "$root") ;;
            proxy) args+=(--role proxy --http "$http" --rootcoord "$root") ;;
        esac
        nohup "$bin" "${args[@]}" >> "$dir/logs/$name.log" 2>&1 < /dev/null &
        echo $! > "$dir/pids/$name.pid"
        echo "started $name (pid $!, log $dir/logs/$name.log)"
    done
    for _ in $(seq 1 150); do
        if [ "$(health)" = 200 ]; then echo "cluster up: HTTP API on http://$http"; return 0; fi
        for name in $(names); do
            alive "$name" || { echo "cluster.sh: $name exited; its log:" >&2; tail -5 "$dir/logs/$name.log" >&2; exit 1; }
        done
        sleep 0.2
    done
    echo "cluster.sh: no healthy answer from http://$http/health within 30 s; see $dir/logs" >&2
    exit 1
}

status() {
    local running=0 total=0
    for name in $(recorded); do
        total=$((total + 1))
        if alive "$name"; then running=$((running + 1)); echo "$name: running (pid $(pid_of "$name"))"
        else echo "$name: stopped"; fi
    done
    [ "$total" -gt 0 ] || echo "no cluster recorded in $dir"
    echo "HTTP http://$http/health: $(health)"
    [ "$total" -gt 0 ] && [ "$running" -eq "$total" ]
}

down() {
    for name in $(recorded | tac); do
        local pid; pid=$(pid_of "$name")
        [ -n "$pid" ] || continue
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid"
            for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
            if kill -0 "$pid" 2>/dev/null; then echo "$name did not stop in 20 s: SIGKILL"; kill -KILL "$pid"; fi
            echo "stopped $name"
        fi
        rm -f "$dir/pids/$name.pid"
    done
}

case "$command" in
    up) up ;;
    down) down ;;
    status) status ;;
    *) echo "usage: scripts/cluster.sh up|down|status [--dir DIR] [--query-nodes N] [--http HOST:PORT] [--base-port PORT]" >&2
       exit 2 ;;
esac
