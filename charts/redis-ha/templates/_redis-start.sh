#!/bin/sh
# Starts Redis as master or replica, then execs redis-server.
#
# With Sentinel, the sentinels decide who is master: this pod asks them and replicates the
# master they name. Only when no sentinel answers and this pod has no data does ordinal 0
# bootstrap as master (a fresh install); otherwise a pod never makes itself master, it waits.
# When the sentinels name this very pod (it crashed and restarted before they noticed), it
# asks them to fail over to a replica first: its own data may miss acknowledged writes that a
# replica has. It starts as master only if no replica can take over (NOGOODSLAVE).
set -eu
. "$(dirname "$0")/common.sh"

load_password
ordinal=$(pod_ordinal)
self=$POD_NAME.$REDIS_HEADLESS.$POD_NAMESPACE.svc.$CLUSTER_DOMAIN

# Waits, bounded by the failover timeout, until the sentinels name a master other than this pod.
wait_for_new_master() {
  deadline=$(($(date +%s) + FAILOVER_TIMEOUT_SECONDS + 10))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    answer=$(ask_sentinels)
    if [ -n "$answer" ] && [ "${answer% *}" != "$self" ]; then
      return 0
    fi
    sleep 1
  done
}

# Prints "host port" of the master to replicate, or nothing to start as master.
choose_master() {
  case "$ARCHITECTURE" in
    standalone) return 0 ;;
    replication)
      [ "$ordinal" = 0 ] || printf '%s %s\n' "$(redis_host 0)" "$REDIS_PORT"
      return 0
      ;;
  esac
  attempt=0
  while :; do
    attempt=$((attempt + 1))
    answer=$(ask_sentinels)
    if [ -z "$answer" ]; then
      if [ "$ordinal" = 0 ] && ! has_data; then
        log "no sentinel answered and $REDIS_DATA_DIR holds no data: bootstrapping as the first master"
        return 0
      fi
      log "no sentinel answered (attempt $attempt); waiting: a pod never makes itself master"
      sleep 3
      continue
    fi
    if [ "${answer% *}" != "$self" ]; then
      printf '%s\n' "$answer"
      return 0
    fi
    reply=$(request_failover)
    case "$reply" in
      OK)
        log "the sentinels still name this pod master; they are failing over to a replica"
        wait_for_new_master
        ;;
      *NOGOODSLAVE*)
        log "the sentinels name this pod master and no replica can take over: starting as master"
        return 0
        ;;
      *)
        log "the sentinels name this pod master; failover request answered '$reply', retrying"
        sleep 3
        ;;
    esac
  done
}

master=$(choose_master)

umask 077
mkdir -p "$REDIS_HA_CONFIG_DIR"
conf=$REDIS_HA_CONFIG_DIR/redis.conf
{
  cat "$REDIS_HA_CONFIG_SOURCE/redis.conf"
  printf '\n# Written at start by redis-start.sh.\n'
  printf 'dir "%s"\n' "$REDIS_DATA_DIR"
  if [ -n "$REDIS_BIND" ]; then
    printf 'bind %s\n' "$REDIS_BIND"
  fi
  # Replicas announce their DNS name, so Sentinel never records a pod IP that can change.
  printf 'replica-announce-ip %s\n' "$self"
  if [ "$TLS_ENABLED" = yes ]; then
    printf 'tls-cert-file "%s"\ntls-key-file "%s"\ntls-ca-cert-file "%s"\n' \
      "$TLS_CERT_FILE" "$TLS_KEY_FILE" "$TLS_CA_FILE"
  fi
  if [ -n "$REDIS_PASSWORD" ]; then
    printf 'requirepass %s\nmasterauth %s\n' "$(conf_password)" "$(conf_password)"
  fi
  if [ -n "$master" ]; then
    printf 'replicaof %s\n' "$master"
  fi
} >"$conf.tmp"
mv "$conf.tmp" "$conf"

if [ -n "$master" ]; then
  log "starting as a replica of $master"
else
  log "starting as master"
fi
exec redis-server "$conf"
