{% import "_helpers.tpl" as h %}
#!/bin/sh
# Starts Redis as master or replica, then execs redis-server.
#
# With Sentinel, the sentinels decide who is master: this pod asks them and replicates the
# master they name. When no sentinel names one, it replicates the Redis pod that reports
# role:master. When none does either (a cold start: every pod stopped), the pods elect the one
# whose data is newest (`cold_start`, and the chart README). When the sentinels name this very
# pod (it crashed and restarted before they noticed), it asks them to fail over to a replica
# first: its own data may miss acknowledged writes that a replica has. It starts as master
# only if no replica can take over (NOGOODSLAVE) and it holds data.
set -eu
. "$(dirname "$0")/common.sh"

load_password
{% if h.acl %}
# The users (auth.acl), written before any server starts: the stand-in of a cold start
# loads them too.
aclfile=$REDIS_HA_CONFIG_DIR/users.acl
(umask 077 && mkdir -p "$REDIS_HA_CONFIG_DIR" && write_aclfile "$aclfile") || exit 1
{% endif %}
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

hold_pid=
hold_conf=$REDIS_HA_CONFIG_DIR/hold.conf

# Starts the stand-in server that shows this pod's data position to its peers (common.sh).
start_hold() {
  mkdir -p "$REDIS_HA_CONFIG_DIR/hold"
  {
    cat "$REDIS_HA_CONFIG_SOURCE/redis.conf"
    printf '\n# The stand-in of a cold start (redis-start.sh): no data, never a master.\n'
    printf 'dir "%s"\nappendonly no\nsave ""\n' "$REDIS_HA_CONFIG_DIR/hold"
    [ -z "$REDIS_BIND" ] || printf 'bind %s\n' "$REDIS_BIND"
    if [ "$TLS_ENABLED" = yes ]; then
      printf 'tls-cert-file "%s"\ntls-key-file "%s"\ntls-ca-cert-file "%s"\n' \
        "$TLS_CERT_FILE" "$TLS_KEY_FILE" "$TLS_CA_FILE"
    fi
{% if h.acl %}
    printf 'aclfile "%s"\n' "$aclfile"
{% else %}
    [ -z "$REDIS_PASSWORD" ] || printf 'requirepass %s\n' "$(conf_password)"
{% endif %}
    printf 'replica-priority 0\nreplicaof redis-ha-hold.%s.%s %s\n' "$1" "$HOLD_DOMAIN" "$REDIS_PORT"
  } >"$hold_conf"
  redis-server "$hold_conf" >/dev/null 2>&1 &
  hold_pid=$!
  # Also when this (sub)shell dies: the stand-in holds the pod's port.
  trap stop_hold EXIT
}

stop_hold() {
  [ -n "$hold_pid" ] || return 0
  kill "$hold_pid" 2>/dev/null || true
  wait "$hold_pid" 2>/dev/null || true
  hold_pid=
  rm -rf "$hold_conf" "$REDIS_HA_CONFIG_DIR/hold"
}

# Whether position $1 of ordinal $2 beats position $3 of ordinal $4: higher first, then the
# lower ordinal; "none" (no data) loses to any data.
beats() {
  b_a=$1 b_b=$3
  [ "$b_a" != none ] || b_a=-1
  [ "$b_b" != none ] || b_b=-1
  [ "$b_a" -gt "$b_b" ] || { [ "$b_a" -eq "$b_b" ] && [ "$2" -lt "$4" ]; }
}

# A cold start: no sentinel names a master and no Redis pod is master. Every pod shows its data
# position (a stand-in server) and reads its peers'; the newest data set wins, ties going to
# the lowest ordinal. It decides when every pod has answered, or, after
# REDIS_HA_COLD_START_WAIT seconds, when enough have that an acknowledged write (on the master
# and MIN_REPLICAS_TO_WRITE replicas) is on one of them, and a majority; never with fewer.
# A pod without data never wins while a pod may be missing. Prints "host port" of the master
# to replicate, or nothing to start as master.
cold_start() {
  own=$(disk_position)
  need=$((REDIS_REPLICAS - MIN_REPLICAS_TO_WRITE))
  [ "$need" -gt $((REDIS_REPLICAS / 2)) ] || need=$((REDIS_REPLICAS / 2 + 1))
  log "cold start: no sentinel or Redis pod knows a master; this pod's data is at position $own"
  start_hold "$own"
  started=$(date +%s)
  said=0
  while :; do
    answer=$(ask_sentinels)
    if [ -n "$answer" ] && [ "${answer% *}" != "$self" ]; then
      stop_hold
      printf '%s\n' "$answer"
      return 0
    fi
    best=$ordinal best_pos=$own known=1 missing='' seen="$ordinal=$own"
    i=0
    while [ "$i" -lt "$REDIS_REPLICAS" ]; do
      if [ "$i" != "$ordinal" ]; then
        state=$(redis_state "$(redis_host "$i")")
        case "$state" in
          master)
            log "cold start: $(redis_host "$i") is master now"
            stop_hold
            printf '%s %s\n' "$(redis_host "$i")" "$REDIS_PORT"
            return 0
            ;;
          hold\ *)
            pos=${state#hold }
            known=$((known + 1)) seen="$seen $i=$pos"
            if beats "$pos" "$i" "$best_pos" "$best"; then best=$i best_pos=$pos; fi
            ;;
          *) missing="$missing $i" ;;
        esac
      fi
      i=$((i + 1))
    done
    waited=$(($(date +%s) - started))
    if [ "$known" -lt "$REDIS_REPLICAS" ] && { [ "$waited" -lt "$REDIS_HA_COLD_START_WAIT" ] || [ "$known" -lt "$need" ]; }; then
      why="waiting for pods$missing to report their data ($known of $REDIS_REPLICAS known: $seen; deciding with all, or with $need after ${REDIS_HA_COLD_START_WAIT}s)"
    elif [ "$best_pos" = none ] && [ "$known" -lt "$REDIS_REPLICAS" ]; then
      why="no pod found holds data, but pods$missing may: waiting for them"
    elif [ "$best" = "$ordinal" ]; then
      log "cold start: this pod holds the newest data ($seen): starting as master"
      stop_hold
      [ "$own" = none ] || reset_position "$own"
{% if Values.restore.enabled %}
      # Every pod is empty (a pod without data wins only then): the backup seeds the release.
      [ "$own" != none ] || load_restore
{% endif %}
      return 0
    else
      why="pod $best holds the newest data ($seen): waiting for it to start as master"
      # Its data is where the new offset count begins, for this pod too once it has synced.
      [ "$best_pos" = none ] || printf '%s\n' "$best_pos" >"$POSITION_FILE.base"
    fi
    if [ "$said" -le "$waited" ]; then
      log "cold start: $why"
      said=$((waited + 10))
    fi
    sleep 1
  done
}

# Prints "host port" of the master to replicate, or nothing to start as master.
choose_master() {
  case "$ARCHITECTURE" in
{% if Values.restore.enabled %}
    standalone | replication)
      # Ordinal 0 is master; the restore step staged a backup only if its volume is empty.
      if [ "$ordinal" = 0 ]; then
        has_data || load_restore
      else
        printf '%s %s\n' "$(redis_host 0)" "$REDIS_PORT"
      fi
      return 0
      ;;
{% else %}
    standalone) return 0 ;;
    replication)
      [ "$ordinal" = 0 ] || printf '%s %s\n' "$(redis_host 0)" "$REDIS_PORT"
      return 0
      ;;
{% endif %}
  esac
  attempt=0
  while :; do
    attempt=$((attempt + 1))
    answer=$(ask_sentinels)
    if [ -z "$answer" ]; then
      i=0
      while [ "$i" -lt "$REDIS_REPLICAS" ]; do
        if [ "$i" != "$ordinal" ] && [ "$(redis_state "$(redis_host "$i")")" = master ]; then
          log "no sentinel answered; $(redis_host "$i") reports role:master"
          printf '%s %s\n' "$(redis_host "$i")" "$REDIS_PORT"
          return 0
        fi
        i=$((i + 1))
      done
      cold_start
      return 0
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
        if ! has_data; then
          log "the sentinels name this pod master, no replica can take over, and $REDIS_DATA_DIR holds no data: waiting for a replica with data (attempt $attempt)"
          sleep 3
          continue
        fi
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
{% if Values.restore.enabled %}
drop_restore "${master:+this pod replicates $master}${master:-this pod starts as master with data of its own}"
{% endif %}

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
{% if h.acl %}
  # The replication user's password is needed in clear (masterauth): only here, in the
  # in-memory config directory, as the release's password is without ACL.
  printf 'aclfile "%s"\nmasteruser %s\nmasterauth %s\n' "$aclfile" "$ACL_REPLICATION_USER" \
    "$(conf_quote "$(read_secret "$ACL_REPLICATION_PASSWORD_FILE")")"
{% else %}
  if [ -n "$REDIS_PASSWORD" ]; then
    printf 'requirepass %s\nmasterauth %s\n' "$(conf_password)" "$(conf_password)"
  fi
{% endif %}
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
