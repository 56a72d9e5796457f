#!/usr/bin/env bash
# Starts a real RabbitMQ and a real Redis for the fidelity suite, runs a
# command against them, and stops both by PID, whatever the command did.
#
#   bash scripts/brokers.sh run COMMAND...   # e.g. cargo run -p mqlab-fidelity
#
# Both listen on loopback only, on ports of their own (AMQP 56720, Erlang
# distribution 56721, epmd 43690, Redis 63790), with their data in a fresh
# temporary directory that is deleted afterwards. No systemd, no fixed
# sleeps: it waits until each answers (at most 60 s), and if one cannot
# start it fails with that server's own last log lines. The command gets
# MQLAB_AMQP_URL, MQLAB_REDIS_URL and MQLAB_RABBITMQCTL (this node's
# rabbitmqctl). The exit code is the command's.
set -euo pipefail

AMQP_PORT="${MQLAB_AMQP_PORT:-56720}"
DIST_PORT=$((AMQP_PORT + 1))
EPMD_PORT="${MQLAB_EPMD_PORT:-43690}"
REDIS_PORT="${MQLAB_REDIS_PORT:-63790}"
NODE="mqlab-fidelity@localhost"
START_LIMIT_S=60

[ "${1:-}" = run ] && [ "$#" -ge 2 ] || {
  echo "usage: bash scripts/brokers.sh run COMMAND..." >&2
  exit 2
}
shift

for bin in /usr/lib/rabbitmq/bin/rabbitmq-server epmd redis-server redis-cli; do
  command -v "$bin" >/dev/null || {
    echo "brokers: $bin is missing (bash scripts/setup.sh --test installs rabbitmq-server and redis-server)" >&2
    exit 1
  }
done

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$AMQP_PORT" "$DIST_PORT" "$EPMD_PORT" "$REDIS_PORT"; do
  port_free "$p" || {
    echo "brokers: port $p on 127.0.0.1 is already in use (another run? set MQLAB_AMQP_PORT, MQLAB_EPMD_PORT, MQLAB_REDIS_PORT)" >&2
    exit 1
  }
done

DATA="$(mktemp -d "${TMPDIR:-/tmp}/mqlab-brokers.XXXXXX")"
EPMD_PID="" RABBIT_PID="" REDIS_PID=""

alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

# Stops a process group (or process) by PID: TERM, then KILL after 15 s.
stop_pid() {
  local name="$1" pid="$2" group="$3" i
  alive "$pid" || return 0
  if [ "$group" = 1 ]; then kill -TERM -- "-$pid" 2>/dev/null || true; else kill -TERM "$pid" 2>/dev/null || true; fi
  for i in $(seq 150); do
    alive "$pid" || break
    sleep 0.1
  done
  if alive "$pid"; then
    echo "brokers: $name (pid $pid) did not stop on TERM; killing it" >&2
    if [ "$group" = 1 ]; then kill -KILL -- "-$pid" 2>/dev/null || true; else kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local left=""
  stop_pid RabbitMQ "$RABBIT_PID" 1
  stop_pid Redis "$REDIS_PID" 0
  stop_pid epmd "$EPMD_PID" 0
  for pid in $RABBIT_PID $REDIS_PID $EPMD_PID; do
    alive "$pid" && left="$left $pid"
  done
  if [ -n "$RABBIT_PID" ] && pgrep -g "$RABBIT_PID" >/dev/null 2>&1; then left="$left (group $RABBIT_PID)"; fi
  rm -rf "$DATA"
  if [ -n "$left" ]; then
    echo "brokers: processes left behind:$left" >&2
    return 1
  fi
  echo "brokers: stopped RabbitMQ (pid ${RABBIT_PID:-none}), Redis (pid ${REDIS_PID:-none}), epmd (pid ${EPMD_PID:-none}); none left"
}
trap 'cleanup' EXIT

# fail_start WHAT LOG_FILES...: the server's own last log lines, then exit.
fail_start() {
  local what="$1"
  shift
  echo "brokers: $what; its log:" >&2
  cat "$@" 2>/dev/null | tail -n 40 >&2 || true
  exit 1
}

# wait_port NAME PID PORT LOG_FILES...: until 127.0.0.1:PORT accepts
# connections; fails at once if the process dies.
wait_port() {
  local name="$1" pid="$2" port="$3" t0=$SECONDS
  shift 3
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    alive "$pid" || fail_start "$name exited before it answered" "$@"
    [ $((SECONDS - t0)) -lt "$START_LIMIT_S" ] || fail_start "$name did not answer within $START_LIMIT_S s" "$@"
    sleep 0.05
  done
}

T0=$SECONDS
# epmd, started here so that its PID is ours to stop.
epmd -address 127.0.0.1 -port "$EPMD_PORT" >"$DATA/epmd.log" 2>&1 &
EPMD_PID=$!
wait_port epmd "$EPMD_PID" "$EPMD_PORT" "$DATA/epmd.log"

mkdir -p "$DATA/rabbit"
echo "[]." >"$DATA/rabbit/enabled_plugins"
cat >"$DATA/rabbit/rabbitmq.conf" <<EOF
listeners.tcp.1 = 127.0.0.1:$AMQP_PORT
loopback_users = none
log.console = false
log.file.level = info
EOF
# The Debian wrapper (/usr/sbin) switches to the rabbitmq user; the real
# script runs as whoever starts it. setsid: one process group to stop.
env HOME="$DATA/rabbit" \
  RABBITMQ_NODENAME="$NODE" \
  RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
  RABBITMQ_NODE_PORT="$AMQP_PORT" \
  RABBITMQ_DIST_PORT="$DIST_PORT" \
  ERL_EPMD_ADDRESS=127.0.0.1 \
  ERL_EPMD_PORT="$EPMD_PORT" \
  RABBITMQ_MNESIA_BASE="$DATA/rabbit/mnesia" \
  RABBITMQ_LOG_BASE="$DATA/rabbit/log" \
  RABBITMQ_ENABLED_PLUGINS_FILE="$DATA/rabbit/enabled_plugins" \
  RABBITMQ_CONFIG_FILE="$DATA/rabbit/rabbitmq" \
  RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
  ERL_CRASH_DUMP="$DATA/rabbit/erl_crash.dump" \
  setsid /usr/lib/rabbitmq/bin/rabbitmq-server >"$DATA/rabbit/console.log" 2>&1 &
RABBIT_PID=$!

redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$DATA" --save "" --appendonly no \
  --daemonize no --logfile "$DATA/redis.log" &
REDIS_PID=$!

wait_port Redis "$REDIS_PID" "$REDIS_PORT" "$DATA/redis.log"
until [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; do
  alive "$REDIS_PID" || fail_start "Redis exited before it answered" "$DATA/redis.log"
  sleep 0.05
done
wait_port RabbitMQ "$RABBIT_PID" "$AMQP_PORT" "$DATA/rabbit/console.log" "$DATA/rabbit/log/$NODE.log"
echo "brokers: RabbitMQ $(dpkg-query -W -f='${Version}' rabbitmq-server 2>/dev/null) on 127.0.0.1:$AMQP_PORT (pid $RABBIT_PID), Redis $(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/') on 127.0.0.1:$REDIS_PORT (pid $REDIS_PID), up in $((SECONDS - T0)) s"

# rabbitmqctl for this node (restart-broker scripts: stop_app, start_app).
cat >"$DATA/rabbitmqctl" <<EOF
#!/bin/sh
export HOME="$DATA/rabbit" ERL_EPMD_PORT="$EPMD_PORT" ERL_EPMD_ADDRESS=127.0.0.1 RABBITMQ_NODENAME="$NODE"
exec /usr/lib/rabbitmq/bin/rabbitmqctl -n "$NODE" -q "\$@"
EOF
chmod +x "$DATA/rabbitmqctl"
export MQLAB_RABBITMQCTL="$DATA/rabbitmqctl"
export MQLAB_AMQP_URL="amqp://guest:guest@127.0.0.1:$AMQP_PORT/%2f"
export MQLAB_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/"
set +e
"$@"
rc=$?
set -e
exit "$rc"
