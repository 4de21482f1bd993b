#!/usr/bin/env bash
# A local estop cluster: HAProxy in front of 3 `estop serve` replicas on one PostgreSQL and one
# Redis, all on loopback. The PostgreSQL and Redis are the cluster's own (in the state
# directory, on free ports), so restarting them touches nothing else on the machine.
#
#   scripts/cluster.sh up      start it; prints the URLs and the admin token (state in .estop-cluster/)
#   scripts/cluster.sh down    stop it and delete its state
#   scripts/cluster.sh test    start one in a temporary directory, run the fault test, stop it
#
# Used by the test (with ESTOP_CLUSTER_DIR): replica-start N, replica-kill N, pg-stop, pg-start,
# redis-stop, redis-start. ESTOP_CLUSTER_NO_BUILD=1 skips building the packages first;
# ESTOP_CLUSTER_ENFORCERS sets the test's number of guards (default 3000). ESTOP_CLUSTER_REPLICAS sets the number of replicas (default 3, at
# most 3: haproxy.cfg names three).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${ESTOP_CLUSTER_DIR:-$root/.estop-cluster}"
replicas="${ESTOP_CLUSTER_REPLICAS:-3}"
admin_token="${ESTOP_CLUSTER_ADMIN_TOKEN:-estop_cluster-admin-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')}"

pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
haproxy_bin="$(command -v haproxy || echo /usr/sbin/haproxy)"

die() { echo "cluster: $*" >&2; exit 1; }

# Runs a PostgreSQL tool as the postgres user when we are root (it refuses to run as root).
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

wait_for() { # description, command...
  local what="$1"; shift
  for _ in $(seq 1 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  die "$what did not come up (logs in $dir)"
}

load() {
  [ -f "$dir/env" ] || die "no cluster in $dir (run: scripts/cluster.sh up)"
  # shellcheck disable=SC1091
  . "$dir/env"
}

pg_start() {
  load
  as_pg "$pg_bin/pg_ctl" -D "$dir/pg" -l "$dir/pg/log" -w -o "-p $ESTOP_PG_PORT -k $dir/pg -c listen_addresses=127.0.0.1" start >/dev/null
}
pg_stop() { load; as_pg "$pg_bin/pg_ctl" -D "$dir/pg" -m fast -w stop >/dev/null; }

redis_start() {
  load
  # Keys are idempotency claims: kept on disk (AOF) so that a restart loses none.
  redis-server --bind 127.0.0.1 --port "$ESTOP_REDIS_PORT" --save '' --appendonly yes --dir "$dir/redis" \
    --daemonize yes --pidfile "$dir/redis/pid" --logfile "$dir/redis/log"
  wait_for redis redis-cli -p "$ESTOP_REDIS_PORT" ping
}
redis_stop() {
  load
  local pid
  pid="$(cat "$dir/redis/pid" 2>/dev/null || true)"
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
}

replica_start() { # N
  load
  local n="$1" port_var="ESTOP_CP$1_PORT"
  mkdir -p "$dir/replica-$n"
  ESTOP_ADMIN_TOKEN="$ESTOP_ADMIN_TOKEN" ESTOP_REDIS_URL="redis://127.0.0.1:$ESTOP_REDIS_PORT" \
    nohup node "$root/packages/cli/dist/bin.js" serve --host 127.0.0.1 --port "${!port_var}" \
    --store postgres --database-url "$ESTOP_DATABASE_URL" --data "$dir/replica-$n" --config "$dir/estop.yaml" \
    >>"$dir/replica-$n.log" 2>&1 </dev/null &
  echo $! >"$dir/replica-$n.pid"
  wait_for "replica $n" curl -sf "http://127.0.0.1:${!port_var}/readyz"
}
replica_kill() { # N [signal]
  load
  local pid
  pid="$(cat "$dir/replica-$1.pid" 2>/dev/null || true)"
  [ -n "$pid" ] || return 0
  kill "-${2:-TERM}" "$pid" 2>/dev/null || true
  if [ "${2:-TERM}" = TERM ] || [ "${2:-TERM}" = KILL ]; then
    # A replica gets 15 s to close cleanly (as TimeoutStopSec in docs/deploy.md), then is killed.
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.05; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
}

up() {
  [ -x "$haproxy_bin" ] || die "haproxy is not installed (apt-get install haproxy)"
  [ -n "$pg_bin" ] || die "PostgreSQL's server binaries are not installed (/usr/lib/postgresql/*/bin)"
  command -v redis-server >/dev/null || die "redis-server is not installed"
  [ ! -f "$dir/env" ] || die "a cluster is already up in $dir (scripts/cluster.sh down first)"
  # npm test has built the packages already (and says so with ESTOP_CLUSTER_NO_BUILD=1).
  [ "${ESTOP_CLUSTER_NO_BUILD:-}" = 1 ] || node --import tsx "$root/scripts/build-if-changed.ts"
  mkdir -p "$dir/redis"
  chmod 0755 "$dir"
  local pg_port redis_port lb_port stats_port
  pg_port="$(free_port)"; redis_port="$(free_port)"; lb_port="$(free_port)"; stats_port="$(free_port)"
  {
    echo "ESTOP_PG_PORT=$pg_port"
    echo "ESTOP_REDIS_PORT=$redis_port"
    echo "ESTOP_DATABASE_URL=postgres://postgres@127.0.0.1:$pg_port/estop"
    echo "ESTOP_ADMIN_TOKEN=$admin_token"
    echo "ESTOP_LB_HOST=127.0.0.1"
    echo "ESTOP_LB_PORT=$lb_port"
    echo "ESTOP_LB_STATS_PORT=$stats_port"
    echo "ESTOP_LB_URL=http://127.0.0.1:$lb_port"
    for n in 1 2 3; do echo "ESTOP_CP${n}_PORT=$(free_port)"; done
    echo "ESTOP_CLUSTER_REPLICAS=$replicas"
  } >"$dir/env"
  chmod 0600 "$dir/env"
  cp "$root/examples/cluster/estop.yaml" "$dir/estop.yaml"

  mkdir -p "$dir/pg"
  [ "$(id -u)" != 0 ] || chown postgres: "$dir/pg"
  as_pg "$pg_bin/initdb" -D "$dir/pg" -U postgres --auth=trust >"$dir/initdb.log"
  pg_start
  as_pg "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres estop
  redis_start
  # One replica first: it creates the schema; the others find it made.
  for n in $(seq 1 "$replicas"); do replica_start "$n"; done
  load
  export ESTOP_LB_HOST ESTOP_LB_PORT ESTOP_LB_STATS_PORT ESTOP_CP1_PORT ESTOP_CP2_PORT ESTOP_CP3_PORT
  "$haproxy_bin" -q -D -f "$root/examples/cluster/haproxy.cfg" -p "$dir/haproxy.pid"
  wait_for haproxy curl -sf "$ESTOP_LB_URL/healthz"
  echo "estop cluster up in $dir"
  echo "  load balancer  $ESTOP_LB_URL (HAProxy stats http://127.0.0.1:$ESTOP_LB_STATS_PORT/stats)"
  for n in $(seq 1 "$replicas"); do
    local port_var="ESTOP_CP${n}_PORT"
    echo "  replica $n      http://127.0.0.1:${!port_var}"
  done
  echo "  PostgreSQL     $ESTOP_DATABASE_URL"
  echo "  Redis          redis://127.0.0.1:$ESTOP_REDIS_PORT"
  echo "  admin token    in $dir/env (ESTOP_ADMIN_TOKEN)"
}

down() {
  [ -f "$dir/env" ] || { rm -rf "$dir"; return 0; }
  load
  local pid
  pid="$(cat "$dir/haproxy.pid" 2>/dev/null || true)"
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
  for n in 1 2 3; do replica_kill "$n" CONT; done
  for n in 1 2 3; do replica_kill "$n" TERM; done
  redis_stop
  as_pg "$pg_bin/pg_ctl" -D "$dir/pg" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  test)
    dir="$(mktemp -d "${TMPDIR:-/tmp}/estop-cluster-XXXXXX")"
    export ESTOP_CLUSTER_DIR="$dir"
    trap 'down' EXIT
    up >/dev/null
    node --conditions=source --import tsx "$root/scripts/cluster/cluster-test.ts"
    ;;
  replica-start) replica_start "$2" ;;
  replica-kill) replica_kill "$2" "${3:-TERM}" ;;
  pg-start) pg_start ;;
  pg-stop) pg_stop ;;
  redis-start) redis_start ;;
  redis-stop) redis_stop ;;
  *) die "usage: scripts/cluster.sh up|down|test" ;;
esac
