#!/bin/sh
# Starts a Redis Cluster node (architecture cluster), then execs redis-server.
#
# A pod whose data volume holds nodes.conf is a member: it starts as that node and rejoins the
# cluster by itself (its peers know its node ID). The peers' addresses in nodes.conf are first
# refreshed from their DNS names, as a cold restart may give every pod a new IP. A member is
# never re-created, reset or flushed.
#
# Pod 0 is the only pod that changes the cluster, so no two pods race to create it or to add
# the same node. In the background, next to its server, it looks at every pod in turn:
#   - when every pod answers and none knows another node or holds a slot, it creates the
#     cluster, once: masters are ordinals 0..shards-1, each given an even range of the 16384
#     slots, and each replica a different pod than its master (`redis-cli --cluster create`);
#   - afterwards it adds every new empty node it finds (a pod added by raising
#     cluster.shards, or one that lost its volume): as a master while the cluster has fewer
#     than CLUSTER_SHARDS masters, slots then moving to it (`--cluster rebalance
#     --cluster-use-empty-masters`), else as a replica of the master with the fewest replicas.
#     A node that lost its volume is first forgotten under its old ID, unless that ID still
#     holds slots (the shard lost every copy: an operator decides).
# A node holding data but no nodes.conf is never added (redis-cli refuses a non-empty node).
set -eu
. "$(dirname "$0")/common.sh"

CLUSTER_SHARDS={{ Values.cluster.shards }}
CLUSTER_REPLICAS_PER_SHARD={{ Values.cluster.replicasPerShard }}
# The pod's IP (downward API), announced on the cluster bus; empty lets the peers see it.
: "${POD_IP:=}"
# Seconds between two looks of pod 0 at a formed cluster (for new nodes to add).
: "${REDIS_HA_CLUSTER_RECONCILE_INTERVAL:=5}"
# Seconds one `redis-cli --cluster` command (create, add-node, rebalance) may take.
: "${REDIS_HA_CLUSTER_ADMIN_TIMEOUT:=300}"

NODES_CONF=$REDIS_DATA_DIR/nodes.conf

load_password
ordinal=$(pod_ordinal)
self=$(redis_host "$ordinal")

# The address a DNS name resolves to, or nothing. `redis-cli --cluster` and CLUSTER MEET take
# addresses, not names.
resolve() {
  getent hosts "$1" 2>/dev/null | awk 'NR == 1 { print $1 }'
}

# Rewrites the address of every other node in nodes.conf to what its DNS name (the hostname
# it announced) resolves to now; a name that does not resolve keeps its address.
refresh_addresses() {
  ra_map=
  for ra_host in $(awk '$3 !~ /myself/ && index($2, ",") {
      h = substr($2, index($2, ",") + 1); sub(/,.*/, "", h); if (h != "") print h }' "$NODES_CONF"); do
    ra_ip=$(resolve "$ra_host")
    [ -z "$ra_ip" ] || ra_map="$ra_map$ra_host $ra_ip
"
  done
  [ -n "$ra_map" ] || return 0
  printf '%s' "$ra_map" | awk '
    NR == FNR { ip[$1] = $2; next }
    $3 !~ /myself/ && index($2, ",") {
      comma = index($2, ","); addr = substr($2, 1, comma - 1); aux = substr($2, comma)
      host = substr(aux, 2); sub(/,.*/, "", host)
      at = index(addr, "@"); hostport = substr(addr, 1, at - 1)
      n = split(hostport, parts, ":")
      if (host in ip) $2 = ip[host] ":" parts[n] substr(addr, at) aux
    }
    { print }' - "$NODES_CONF" >"$NODES_CONF.tmp"
  mv "$NODES_CONF.tmp" "$NODES_CONF"
}

# A `redis-cli --cluster` command, with the time it needs.
cluster_admin() {
  ca_timeout=$REDIS_CLI_TIMEOUT
  REDIS_CLI_TIMEOUT=$REDIS_HA_CLUSTER_ADMIN_TIMEOUT
  ca_status=0
  redis_cli "$(local_address "$REDIS_BIND")" --cluster "$@" --cluster-yes </dev/null || ca_status=$?
  REDIS_CLI_TIMEOUT=$ca_timeout
  return "$ca_status"
}

# "ip:port" of pod $1, or nothing when its name does not resolve.
pod_address() {
  pa_ip=$(resolve "$(redis_host "$1")")
  [ -z "$pa_ip" ] || printf '%s:%s\n' "$pa_ip" "$REDIS_PORT"
}

# CLUSTER NODES as a member sees it, without the nodes that failed.
live_nodes() {
  redis_cli "$1" CLUSTER NODES 2>/dev/null | tr -d '\r' | awk '$3 !~ /fail|noaddr|handshake/'
}

# Adds the empty node of pod $1 to the cluster $2 (a member's name) knows.
add_node() {
  an_host=$(redis_host "$1")
  an_addr=$(pod_address "$1")
  an_seed=$(resolve "$2"):$REDIS_PORT
  [ -n "$an_addr" ] || return 1
  # The node this pod was before it lost its volume: the same name, now failed.
  for an_stale in $(redis_cli "$2" CLUSTER NODES 2>/dev/null | tr -d '\r' |
    awk -v h=",$an_host" '$3 ~ /fail/ && index($2, h) { print $1 (NF > 8 ? ":slots" : "") }'); do
    case "$an_stale" in
      *:slots)
        log "cluster: $an_host was node ${an_stale%:slots}, which still holds slots: not replacing it (recover its shard first, see the README)"
        return 1
        ;;
    esac
    log "cluster: $an_host lost its volume; forgetting its old node $an_stale"
    an_i=0
    while [ "$an_i" -lt "$REDIS_REPLICAS" ]; do
      [ "$an_i" = "$1" ] || redis_cli "$(redis_host "$an_i")" CLUSTER FORGET "$an_stale" >/dev/null 2>&1 || true
      an_i=$((an_i + 1))
    done
  done
  an_live=$(live_nodes "$2")
  an_masters=$(printf '%s\n' "$an_live" | awk '$3 ~ /master/ { n++ } END { print n + 0 }')
  if [ "$an_masters" -lt "$CLUSTER_SHARDS" ]; then
    log "cluster: adding $an_host as a master ($an_masters of $CLUSTER_SHARDS shards)"
    cluster_admin add-node "$an_addr" "$an_seed" >/dev/null || return 1
    added_master=yes
  else
    # The master with the fewest replicas.
    an_master=$(printf '%s\n' "$an_live" | awk '
      $3 ~ /master/ { if (!($1 in n)) n[$1] = 0 }
      $3 ~ /slave/ { n[$4]++ }
      END { for (id in n) print n[id], id }' | sort -n | awk 'NR == 1 { print $2 }')
    log "cluster: adding $an_host as a replica of $an_master"
    cluster_admin add-node "$an_addr" "$an_seed" --cluster-slave --cluster-master-id "$an_master" >/dev/null || return 1
  fi
  log "cluster: $an_host added"
}

# One look at every pod: create the cluster, or add the new nodes, or nothing.
reconcile() {
  members='' empties='' silent=0 seed=''
  r_i=0
  while [ "$r_i" -lt "$REDIS_REPLICAS" ]; do
    r_host=$(redis_host "$r_i")
    r_info=$(redis_cli "$r_host" CLUSTER INFO 2>/dev/null | tr -d '\r') || r_info=
    r_known=$(info_field "$r_info" cluster_known_nodes)
    r_slots=$(info_field "$r_info" cluster_slots_assigned)
    if [ -z "$r_known" ]; then
      silent=$((silent + 1))
    elif [ "$r_known" -gt 1 ] || [ "${r_slots:-0}" -gt 0 ]; then
      members="$members $r_i"
      [ -n "$seed" ] || seed=$r_host
    else
      empties="$empties $r_i"
    fi
    r_i=$((r_i + 1))
  done
  if [ -z "$members" ]; then
    if [ "$silent" -gt 0 ]; then
      log "cluster: no cluster yet; waiting for $silent of $REDIS_REPLICAS pods to answer"
      return 1
    fi
    addresses=
    for r_i in $empties; do
      r_addr=$(pod_address "$r_i")
      [ -n "$r_addr" ] || return 1
      addresses="$addresses $r_addr"
    done
    log "cluster: every pod is new: creating the cluster ($CLUSTER_SHARDS shards, $CLUSTER_REPLICAS_PER_SHARD replicas each)"
    # shellcheck disable=SC2086 # one address per word
    if cluster_admin create $addresses --cluster-replicas "$CLUSTER_REPLICAS_PER_SHARD" >/dev/null; then
      log "cluster: created"
    else
      log "cluster: redis-cli --cluster create failed; retrying"
    fi
    return 0
  fi
  added_master=
  for r_i in $empties; do
    add_node "$r_i" "$seed" || log "cluster: could not add $(redis_host "$r_i") yet"
  done
  # Slots go to the masters that have none (just added, or a rebalance cut short).
  if [ -n "$added_master" ] || live_nodes "$seed" | awk '$3 ~ /master/ && NF <= 8 { found = 1 } END { exit !found }'; then
    r_try=0
    while [ "$r_try" -lt 10 ]; do
      if cluster_admin rebalance "$(resolve "$seed"):$REDIS_PORT" --cluster-use-empty-masters >/dev/null 2>&1; then
        log "cluster: slots rebalanced over every master"
        break
      fi
      r_try=$((r_try + 1))
      sleep 2
    done
  fi
  return 0
}

manage() {
  while [ "$(redis_cli "$(local_address "$REDIS_BIND")" PING 2>/dev/null | tr -d '\r')" != PONG ]; do
    sleep 0.2
  done
  while :; do
    if reconcile; then
      sleep "$REDIS_HA_CLUSTER_RECONCILE_INTERVAL"
    else
      sleep 1
    fi
  done
}

umask 077
mkdir -p "$REDIS_HA_CONFIG_DIR"
conf=$REDIS_HA_CONFIG_DIR/redis.conf
{
  cat "$REDIS_HA_CONFIG_SOURCE/redis.conf"
  printf '\n# Written at start by cluster-start.sh.\n'
  printf 'dir "%s"\n' "$REDIS_DATA_DIR"
  [ -z "$REDIS_BIND" ] || printf 'bind %s\n' "$REDIS_BIND"
  # Clients are redirected to this DNS name, never to a pod IP that can change.
  printf 'cluster-announce-hostname %s\n' "$self"
  [ -z "$POD_IP" ] || printf 'cluster-announce-ip %s\n' "$POD_IP"
  if [ "$TLS_ENABLED" = yes ]; then
    printf 'tls-cert-file "%s"\ntls-key-file "%s"\ntls-ca-cert-file "%s"\n' \
      "$TLS_CERT_FILE" "$TLS_KEY_FILE" "$TLS_CA_FILE"
  fi
  if [ -n "$REDIS_PASSWORD" ]; then
    printf 'requirepass %s\nmasterauth %s\n' "$(conf_password)" "$(conf_password)"
  fi
} >"$conf.tmp"
mv "$conf.tmp" "$conf"

if [ -s "$NODES_CONF" ]; then
  refresh_addresses
  log "rejoining the cluster as node $(awk '$3 ~ /myself/ { print $1 }' "$NODES_CONF")"
else
  log "a new node: pod 0 adds it to the cluster"
fi
if [ "$ordinal" = 0 ]; then
  manage &
fi
exec redis-server "$conf"
