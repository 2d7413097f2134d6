#!/bin/sh
# preStop hook of a Redis pod (architecture sentinel). When this pod is the master: pause
# writes, let the replicas catch up, ask Sentinel to fail over, and wait until the sentinels
# name another master, all within the termination grace period. A replica just stops.
set -u
. "$(dirname "$0")/common.sh"

# Leave a few seconds of the grace period for redis-server's own shutdown (a final save).
: "${PRESTOP_TIMEOUT:={{ [Values.terminationGracePeriodSeconds - 10, 5] | max }}}"

load_password
self=$POD_NAME.$REDIS_HEADLESS.$POD_NAMESPACE.svc.$CLUSTER_DOMAIN
addr=$(local_address "$REDIS_BIND")
deadline=$(($(date +%s) + PRESTOP_TIMEOUT))

role=$(redis_cli "$addr" ROLE 2>/dev/null | tr -d '\r' | sed -n 1p)
# The data's position as this pod stops, for a cold start.
record_position "$(redis_cli "$addr" INFO replication 2>/dev/null | tr -d '\r')"
if [ "$role" != master ]; then
  log "role '${role:-unknown}': nothing to hand over"
  exit 0
fi

# Clients' writes wait (they are not refused) until the pause ends or the server stops; the
# replicas keep receiving the replication stream.
redis_cli "$addr" CLIENT PAUSE $((PRESTOP_TIMEOUT * 1000)) WRITE >/dev/null 2>&1

# Wait (at most 10 s) until a replica has everything this master has: Sentinel promotes the
# replica with the highest offset, so no acknowledged write is lost.
caught_up_deadline=$(($(date +%s) + 10))
while [ "$(date +%s)" -lt "$caught_up_deadline" ]; do
  info=$(redis_cli "$addr" INFO replication 2>/dev/null | tr -d '\r')
  offset=$(info_field "$info" master_repl_offset)
  best=$(printf '%s\n' "$info" | sed -n 's/^slave[0-9]*:.*offset=\([0-9]*\).*/\1/p' | sort -n | tail -n 1)
  if [ -n "$offset" ] && [ -n "$best" ] && [ "$best" -ge "$offset" ]; then
    break
  fi
  sleep 0.2
done

reply=$(request_failover)
case "$reply" in
  OK | *INPROG*) log "failover requested ($reply)" ;;
  *)
    log "failover not possible ($reply): resuming writes and stopping as master"
    redis_cli "$addr" CLIENT UNPAUSE >/dev/null 2>&1
    exit 0
    ;;
esac

while [ "$(date +%s)" -lt "$deadline" ]; do
  answer=$(ask_sentinels)
  if [ -n "$answer" ] && [ "${answer% *}" != "$self" ]; then
    log "the sentinels now name $answer as master"
    exit 0
  fi
  sleep 0.5
done
log "no new master within ${PRESTOP_TIMEOUT}s; stopping anyway"
exit 0
