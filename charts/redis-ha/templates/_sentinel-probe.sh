#!/bin/sh
# Probes of the Sentinel container: sentinel-probe.sh startup|liveness|readiness. Sentinel
# answers PING; readiness also needs it to know a master, so clients are not sent to a
# sentinel that cannot answer them.
set -u
. "$(dirname "$0")/common.sh"

load_password
addr=$(local_address "$SENTINEL_BIND")
pong=$(sentinel_cli "$addr" PING 2>&1 | tr -d '\r')
[ "$pong" = PONG ] || { log "${1:-liveness}: $pong"; exit 1; }
if [ "${1:-liveness}" = readiness ] && [ -z "$(sentinel_master_of "$addr")" ]; then
  log "readiness: no master known for $MASTER_NAME"
  exit 1
fi
exit 0
