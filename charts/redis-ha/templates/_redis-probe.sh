#!/bin/sh
# Probes of the Redis container: redis-probe.sh startup|liveness|readiness.
#   startup:   PING answers PONG (the data set is loaded).
#   liveness:  the server answers PING (LOADING and MASTERDOWN count as alive).
#   readiness: PING answers PONG and, on a replica, master_link_status is up. It also
#              records the data's replication position on the volume, for a cold start.
set -u
. "$(dirname "$0")/common.sh"

load_password
addr=$(local_address "$REDIS_BIND")
pong=$(redis_cli "$addr" PING 2>&1 | tr -d '\r')

case "${1:-liveness}" in
  startup)
    [ "$pong" = PONG ] || { log "startup: $pong"; exit 1; }
    ;;
  liveness)
    case "$pong" in
      PONG | LOADING* | MASTERDOWN*) ;;
      *) log "liveness: $pong"; exit 1 ;;
    esac
    ;;
  readiness)
    [ "$pong" = PONG ] || { log "readiness: $pong"; exit 1; }
    info=$(redis_cli "$addr" INFO replication 2>/dev/null | tr -d '\r')
    record_position "$info"
    if [ "$(info_field "$info" role)" = slave ] && [ "$(info_field "$info" master_link_status)" != up ]; then
      log "readiness: replica not in sync with its master"
      exit 1
    fi
    ;;
  *) die "unknown probe '$1'" ;;
esac
exit 0
