#!/usr/bin/env bash
# Runs a command (the broker) for as long as its owner process lives.
# usage: guard.sh OWNER_PID DATA_DIR -- command...
# When the owner dies, even by SIGKILL, or when this guard gets SIGTERM/SIGINT, the command is
# stopped (TERM, then KILL after 15 s) and DATA_DIR is removed, so no broker outlives its test run.
# SIGUSR1 stops the command the same way but keeps DATA_DIR (the broker is restarted on it).
owner=$1 data=$2
shift 3
"$@" &
child=$!
halt() {
  kill -TERM "$child" 2>/dev/null
  for _ in $(seq 1 30); do kill -0 "$child" 2>/dev/null || break; sleep 0.5; done
  kill -KILL "$child" 2>/dev/null
  wait "$child" 2>/dev/null
}
stop() {
  halt
  rm -rf "$data"
  exit 0
}
trap stop TERM INT HUP
trap 'halt; exit 0' USR1
while kill -0 "$owner" 2>/dev/null && kill -0 "$child" 2>/dev/null; do sleep 1 & wait $!; done
stop
