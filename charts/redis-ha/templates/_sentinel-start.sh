{% import "_helpers.tpl" as h %}
#!/bin/sh
# Starts Sentinel from a config written at every start to a writable directory (Sentinel
# rewrites its config file; a ConfigMap is read-only).
#
# The monitored master is the one the other sentinels name; when none answers, the Redis pod
# that reports itself master. When none does (a fresh install, or a cold start: every pod
# stopped), it waits until the Redis pods have elected one (redis-start.sh): a sentinel never
# guesses a master, since the one it guessed could hold older data than its peers. Each sentinel has a
# fixed `myid` (derived from the release and its ordinal at render time) and announces its DNS
# name, so a restarted sentinel is the same sentinel to its peers, whatever its new pod IP:
# no "ghost" sentinels.
set -eu
. "$(dirname "$0")/common.sh"

load_password
ordinal=$(pod_ordinal)
self=$POD_NAME.$SENTINEL_HEADLESS.$POD_NAMESPACE.svc.$CLUSTER_DOMAIN

case "$ordinal" in
{% for i in range(Values.sentinel.replicas) %}
  {{ i }}) myid={{ (h.sentinel_statefulset ~ "-" ~ i ~ "@" ~ Release.Namespace) | sha256sum | trunc(40) }} ;;
{% endfor %}
  *) die "no sentinel id for ordinal $ordinal: render the chart with sentinel.replicas above $ordinal" ;;
esac

# "host port" of the Redis pod that reports role:master (the one with most replicas), or nothing.
find_redis_master() {
  frm_best= frm_best_replicas=-1
  frm_i=0
  while [ "$frm_i" -lt "$REDIS_REPLICAS" ]; do
    frm_host=$(redis_host "$frm_i")
    frm_info=$(redis_cli "$frm_host" INFO replication 2>/dev/null | tr -d '\r')
    if [ "$(info_field "$frm_info" role)" = master ]; then
      frm_replicas=$(info_field "$frm_info" connected_slaves)
      if [ "${frm_replicas:-0}" -gt "$frm_best_replicas" ]; then
        frm_best="$frm_host $REDIS_PORT" frm_best_replicas=${frm_replicas:-0}
      fi
    fi
    frm_i=$((frm_i + 1))
  done
  [ -z "$frm_best" ] || printf '%s\n' "$frm_best"
}

waited=0
while :; do
  master=$(ask_sentinels "$self")
  source="the other sentinels"
  if [ -z "$master" ]; then
    master=$(find_redis_master)
    source="the Redis pod reporting role:master"
  fi
  [ -z "$master" ] || break
  [ $((waited % 10)) -ne 0 ] ||
    log "no sentinel knows a master and no Redis pod is master yet (a fresh install or a cold start): waiting ${waited}s for the Redis pods to elect one"
  sleep 1
  waited=$((waited + 1))
done
master_host=${master% *}
master_port=${master#* }

# Sentinel refuses a config whose master name does not resolve: wait for its DNS record.
attempt=0
until getent hosts "$master_host" >/dev/null 2>&1; do
  attempt=$((attempt + 1))
  [ $((attempt % 10)) -ne 1 ] || log "waiting for $master_host to resolve"
  sleep 1
done

umask 077
mkdir -p "$REDIS_HA_CONFIG_DIR"
conf=$REDIS_HA_CONFIG_DIR/sentinel.conf
{
  cat "$REDIS_HA_CONFIG_SOURCE/sentinel.conf"
  printf '\n# Written at start by sentinel-start.sh.\n'
  printf 'dir "%s"\n' "$REDIS_HA_CONFIG_DIR"
  if [ -n "$SENTINEL_BIND" ]; then
    printf 'bind %s\n' "$SENTINEL_BIND"
  fi
  printf 'sentinel myid %s\n' "$myid"
  printf 'sentinel announce-ip %s\n' "$self"
  printf 'sentinel announce-port %s\n' "$SENTINEL_PORT"
  if [ "$TLS_ENABLED" = yes ]; then
    printf 'tls-cert-file "%s"\ntls-key-file "%s"\ntls-ca-cert-file "%s"\n' \
      "$TLS_CERT_FILE" "$TLS_KEY_FILE" "$TLS_CA_FILE"
  fi
  if [ "$SENTINEL_AUTH" = yes ]; then
    printf 'requirepass %s\n' "$(conf_password)"
  fi
  printf 'sentinel monitor %s %s %s %s\n' "$MASTER_NAME" "$master_host" "$master_port" "$QUORUM"
{% if h.acl %}
  # The sentinels log in to Redis as the Sentinel user; the chart's tools (the exporter) log
  # in to Sentinel as theirs.
  printf 'sentinel auth-user %s %s\n' "$MASTER_NAME" "$ACL_SENTINEL_USER"
  printf 'sentinel auth-pass %s %s\n' "$MASTER_NAME" "$(conf_quote "$(read_secret "$ACL_SENTINEL_PASSWORD_FILE")")"
{% if h.sentinel_auth %}
  printf 'user %s on #%s +@all\n' "$ACL_CHART_USER" "$(password_hash "$REDIS_PASSWORD")"
{% endif %}
{% else %}
  if [ -n "$REDIS_PASSWORD" ]; then
    printf 'sentinel auth-pass %s %s\n' "$MASTER_NAME" "$(conf_password)"
  fi
{% endif %}
  cat "$REDIS_HA_CONFIG_SOURCE/master.conf"
} >"$conf.tmp"
mv "$conf.tmp" "$conf"

log "monitoring $MASTER_NAME at $master_host:$master_port ($source)"
exec redis-sentinel "$conf"
