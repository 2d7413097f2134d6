{% import "_helpers.tpl" as h %}
#!/bin/sh
# Sourced by every redis-ha script. Settings come from the environment when set (so the
# scripts also run outside Kubernetes, e.g. in the end-to-end test), else from the values
# the chart was rendered with. POSIX sh: the image's /bin/sh is dash.

# Identity: the pod's name gives its ordinal; its DNS name is
# <pod>.<headless service>.<namespace>.svc.<cluster domain>.
: "${POD_NAME:=${HOSTNAME:-$(uname -n)}}"
: "${POD_NAMESPACE:={{ Release.Namespace }}}"
: "${CLUSTER_DOMAIN:={{ Values.clusterDomain }}}"
# Paths: the ConfigMap (read-only), the writable directory the effective config is written
# to, the data directory, the mounted password and TLS files.
: "${REDIS_HA_CONFIG_SOURCE:={{ h.config_source_dir }}}"
: "${REDIS_HA_CONFIG_DIR:={{ h.config_dir }}}"
: "${REDIS_DATA_DIR:={{ h.data_dir }}}"
: "${REDIS_PASSWORD_FILE:={{ h.secret_dir }}/password}"
: "${REDIS_TLS_DIR:={{ h.tls_dir }}}"
# Addresses the servers listen on (`bind`); empty keeps Redis' default (every interface).
: "${REDIS_BIND:=}"
: "${SENTINEL_BIND:=}"
# Seconds one redis-cli call may take.
: "${REDIS_CLI_TIMEOUT:=5}"
# Cold start (no sentinel and no Redis pod knows a master): seconds to wait for every Redis
# pod to report its data before deciding with the ones that did (see the chart README).
: "${REDIS_HA_COLD_START_WAIT:={{ (Values.sentinel.failoverTimeout + 999) // 1000 }}}"
# Seconds `redis-check-rdb` may take to read the replication offset of dump.rdb.
: "${REDIS_HA_RDB_CHECK_TIMEOUT:=120}"

ARCHITECTURE={{ Values.architecture | shquote }}
REDIS_PORT={{ Values.redis.port }}
REDIS_STATEFULSET={{ h.redis_statefulset }}
REDIS_HEADLESS={{ h.redis_headless }}
REDIS_REPLICAS={{ h.redis_replicas }}
SENTINEL_PORT={{ Values.sentinel.port }}
SENTINEL_STATEFULSET={{ h.sentinel_statefulset }}
SENTINEL_HEADLESS={{ h.sentinel_headless }}
SENTINEL_SERVICE={{ h.name("sentinel") }}
SENTINEL_REPLICAS={{ Values.sentinel.replicas if h.sentinel else 0 }}
MASTER_NAME={{ Values.sentinel.masterName | shquote }}
QUORUM={{ Values.sentinel.quorum }}
MIN_REPLICAS_TO_WRITE={{ h.min_replicas_to_write }}
FAILOVER_TIMEOUT_SECONDS={{ (Values.sentinel.failoverTimeout + 999) // 1000 }}
AUTH_ENABLED={{ "yes" if h.auth else "no" }}
SENTINEL_AUTH={{ "yes" if h.sentinel_auth else "no" }}
TLS_ENABLED={{ "yes" if Values.tls.enabled else "no" }}
TLS_CERT_FILE="$REDIS_TLS_DIR"/{{ Values.tls.certFilename | shquote }}
TLS_KEY_FILE="$REDIS_TLS_DIR"/{{ Values.tls.keyFilename | shquote }}
TLS_CA_FILE="$REDIS_TLS_DIR"/{{ Values.tls.caFilename | shquote }}

log() {
  printf '%s %s[%s]: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${0##*/}" "$POD_NAME" "$*" >&2
}

die() {
  log "error: $*"
  exit 1
}

# The ordinal of this pod: the number after the last `-` of its name.
pod_ordinal() {
  case "${POD_NAME##*-}" in
    '' | *[!0-9]*) die "POD_NAME '$POD_NAME' does not end in -<ordinal>" ;;
    *) printf '%s\n' "${POD_NAME##*-}" ;;
  esac
}

redis_host() {
  printf '%s-%s.%s.%s.svc.%s\n' "$REDIS_STATEFULSET" "$1" "$REDIS_HEADLESS" "$POD_NAMESPACE" "$CLUSTER_DOMAIN"
}

sentinel_host() {
  printf '%s-%s.%s.%s.svc.%s\n' "$SENTINEL_STATEFULSET" "$1" "$SENTINEL_HEADLESS" "$POD_NAMESPACE" "$CLUSTER_DOMAIN"
}

# The address to reach this pod's own server on: the first `bind` address, or loopback.
local_address() {
  case "${1%% *}" in
    '' | '*' | '-'* | 0.0.0.0) printf '127.0.0.1\n' ;;
    '::' | '::*') printf '::1\n' ;;
    *) printf '%s\n' "${1%% *}" ;;
  esac
}

# Reads the password from the mounted Secret into REDIS_PASSWORD (never exported, never on a
# command line: redis-cli gets it through REDISCLI_AUTH, redis.conf through the file written
# at start).
load_password() {
  REDIS_PASSWORD=
  [ "$AUTH_ENABLED" = yes ] || return 0
  [ -r "$REDIS_PASSWORD_FILE" ] || die "cannot read the password file $REDIS_PASSWORD_FILE"
  REDIS_PASSWORD=$(cat "$REDIS_PASSWORD_FILE")
  [ -n "$REDIS_PASSWORD" ] || die "the password file $REDIS_PASSWORD_FILE is empty"
}

# The password as a quoted redis.conf argument.
conf_password() {
  printf '"%s"\n' "$(printf '%s' "$REDIS_PASSWORD" | sed 's/[\\"]/\\&/g')"
}

tls_args() {
  [ "$TLS_ENABLED" = yes ] || return 0
  printf '%s\n' "--tls --cert $TLS_CERT_FILE --key $TLS_KEY_FILE --cacert $TLS_CA_FILE"
}

# cli HOST PORT AUTH(yes|no) ARGS...: one bounded redis-cli call.
cli() {
  cli_host=$1 cli_port=$2 cli_auth=$3
  shift 3
  # shellcheck disable=SC2046 # the TLS arguments are paths without spaces
  if [ "$cli_auth" = yes ] && [ -n "$REDIS_PASSWORD" ]; then
    REDISCLI_AUTH=$REDIS_PASSWORD timeout "$REDIS_CLI_TIMEOUT" \
      redis-cli $(tls_args) -h "$cli_host" -p "$cli_port" "$@"
  else
    timeout "$REDIS_CLI_TIMEOUT" redis-cli $(tls_args) -h "$cli_host" -p "$cli_port" "$@"
  fi
}

redis_cli() {
  cli_target=$1
  shift
  cli "$cli_target" "$REDIS_PORT" "$AUTH_ENABLED" "$@"
}

sentinel_cli() {
  cli_target=$1
  shift
  cli "$cli_target" "$SENTINEL_PORT" "$SENTINEL_AUTH" "$@"
}

# The `field:value` of an INFO reply, for one field.
info_field() {
  printf '%s\n' "$1" | tr -d '\r' | sed -n "s/^$2://p"
}

# "host port" of the master one sentinel names, or nothing.
sentinel_master_of() {
  smo_reply=$(sentinel_cli "$1" SENTINEL get-master-addr-by-name "$MASTER_NAME" 2>/dev/null | tr -d '\r') || return 0
  smo_host=$(printf '%s\n' "$smo_reply" | sed -n 1p)
  smo_port=$(printf '%s\n' "$smo_reply" | sed -n 2p)
  case "$smo_port" in '' | *[!0-9]*) return 0 ;; esac
  [ -n "$smo_host" ] && printf '%s %s\n' "$smo_host" "$smo_port"
  return 0
}

# "host port" of the master named by the most sentinels (other than $1), or nothing when no
# sentinel answers. The pods are asked by name, then the Service if none of them answered.
ask_sentinels() {
  as_skip=${1:-}
  as_answers=
  as_i=0
  while [ "$as_i" -lt "$SENTINEL_REPLICAS" ]; do
    as_host=$(sentinel_host "$as_i")
    if [ "$as_host" != "$as_skip" ]; then
      as_answer=$(sentinel_master_of "$as_host")
      [ -z "$as_answer" ] || as_answers="$as_answers$as_answer
"
    fi
    as_i=$((as_i + 1))
  done
  if [ -z "$as_answers" ] && [ "$SENTINEL_REPLICAS" -gt 0 ]; then
    as_answers=$(sentinel_master_of "$SENTINEL_SERVICE.$POD_NAMESPACE.svc.$CLUSTER_DOMAIN")
  fi
  [ -n "$as_answers" ] || return 0
  printf '%s\n' "$as_answers" | sed '/^$/d' | sort | uniq -c | sort -k1,1nr -k2 | awk 'NR == 1 { print $2, $3 }'
}

# Asks the sentinels, one after the other, to fail over; prints the first reply that is not a
# connection error (OK, NOGOODSLAVE, INPROG...).
request_failover() {
  rf_i=0
  while [ "$rf_i" -lt "$SENTINEL_REPLICAS" ]; do
    rf_reply=$(sentinel_cli "$(sentinel_host "$rf_i")" SENTINEL FAILOVER "$MASTER_NAME" 2>&1 | tr -d '\r')
    case "$rf_reply" in
      OK | *NOGOODSLAVE* | *INPROG* | *IDONTKNOW*)
        printf '%s\n' "$rf_reply"
        return 0
        ;;
    esac
    rf_i=$((rf_i + 1))
  done
  printf 'UNREACHABLE\n'
}

# Whether the data directory holds a data set (an RDB snapshot or an append-only file).
has_data() {
  [ -s "$REDIS_DATA_DIR/dump.rdb" ] && return 0
  [ -s "$REDIS_DATA_DIR/appendonly.aof" ] && return 0
  for hd_file in "$REDIS_DATA_DIR"/appendonlydir/*; do
    [ -s "$hd_file" ] && return 0
  done
  return 1
}

# The position of this pod's data in the replication stream, kept on its volume by the
# readiness probe and the preStop hook: "<base> <offset>". Redis forgets its offset when it
# loads an append-only file, so a cold start begins a new offset count; <base> is where the
# count began (the position of the data the cold start chose), and base + offset orders the
# data sets of every pod across cold starts.
POSITION_FILE=$REDIS_DATA_DIR/redis-ha-position

# Prints base + master_repl_offset of an INFO replication reply when the offset means
# something (a master, or a replica whose link to its master is up), else nothing.
position_of() {
  po_role=$(info_field "$1" role)
  po_offset=$(info_field "$1" master_repl_offset)
  case "$po_offset" in '' | *[!0-9]*) return 0 ;; esac
  if [ "$po_role" = master ] || [ "$(info_field "$1" master_link_status)" = up ]; then
    printf '%s\n' $(($(position_base) + po_offset))
  fi
}

position_base() {
  pb_base=$(sed -n '1s/^\([0-9][0-9]*\) [0-9][0-9]*$/\1/p' "$POSITION_FILE" 2>/dev/null)
  printf '%s\n' "${pb_base:-0}"
}

# Records the position of the running server (its INFO replication reply in $1). A replica
# that a cold start pointed at the elected pod takes that pod's base (in $POSITION_FILE.base)
# once its link is up, i.e. once it holds that pod's data: not before, or its older data would
# look as new as the elected pod's.
record_position() {
  rp_info=$1
  rp_offset=$(info_field "$rp_info" master_repl_offset)
  [ -n "$(position_of "$rp_info")" ] || return 0
  rp_base=$(position_base)
  if [ -s "$POSITION_FILE.base" ] && [ "$(info_field "$rp_info" role)" = slave ]; then
    rp_base=$(sed -n '1s/^\([0-9][0-9]*\)$/\1/p' "$POSITION_FILE.base" 2>/dev/null)
    rp_base=${rp_base:-0}
  fi
  printf '%s %s\n' "$rp_base" "$rp_offset" >"$POSITION_FILE.tmp" 2>/dev/null &&
    mv "$POSITION_FILE.tmp" "$POSITION_FILE" 2>/dev/null &&
    rm -f "$POSITION_FILE.base"
  return 0
}

# Starts a new offset count at position $1 (a cold start: the server starts at offset 0).
reset_position() {
  rm -f "$POSITION_FILE.base"
  printf '%s 0\n' "$1" >"$POSITION_FILE.tmp" && mv "$POSITION_FILE.tmp" "$POSITION_FILE"
}

# The position of the data on this pod's volume, before its server starts: the highest of the
# recorded position and the `repl-offset` Redis writes into dump.rdb (exact after a clean
# shutdown); "none" when the volume holds no data set.
disk_position() {
  has_data || {
    printf 'none\n'
    return 0
  }
  dp_best=0
  dp_file=$(sed -n '1s/^\([0-9][0-9]*\) \([0-9][0-9]*\)$/\1 \2/p' "$POSITION_FILE" 2>/dev/null)
  if [ -n "$dp_file" ]; then
    dp_best=$((${dp_file% *} + ${dp_file#* }))
  fi
  if [ -s "$REDIS_DATA_DIR/dump.rdb" ] && command -v redis-check-rdb >/dev/null 2>&1; then
    dp_rdb=$(timeout "$REDIS_HA_RDB_CHECK_TIMEOUT" redis-check-rdb "$REDIS_DATA_DIR/dump.rdb" 2>/dev/null |
      sed -n "s/.*AUX FIELD repl-offset = '\([0-9]*\)'.*/\1/p" | sed -n 1p)
    # The RDB's offset counts from this pod's current base, like the recorded one.
    if [ -n "$dp_rdb" ] && [ $(($(position_base) + dp_rdb)) -gt "$dp_best" ]; then
      dp_best=$(($(position_base) + dp_rdb))
    fi
  fi
  printf '%s\n' "$dp_best"
}

{% if Values.restore.enabled %}
# restore.enabled: where the restore step (redis-restore.sh) stages a backup on pod 0's empty
# volume, and the marker a pod that loaded one keeps, so it never restores again.
RESTORE_STAGED=$REDIS_DATA_DIR/redis-ha-restore.rdb
RESTORE_MARKER=$REDIS_DATA_DIR/redis-ha-restored

# Loads the staged backup as this pod's data set (it starts as master of a release whose pods
# are all empty). A copy that fails redis-check-rdb is deleted (the restore step fetches it
# again at the next start) and the pod stops: it must not start empty instead.
load_restore() {
  [ -s "$RESTORE_STAGED" ] || return 0
  if command -v redis-check-rdb >/dev/null 2>&1 &&
    ! timeout "$REDIS_HA_RDB_CHECK_TIMEOUT" redis-check-rdb "$RESTORE_STAGED" >/dev/null 2>&1; then
    rm -f "$RESTORE_STAGED" "$RESTORE_STAGED.origin"
    die "restore: the staged backup fails redis-check-rdb: deleted, it is fetched again at the next start"
  fi
  lr_origin=$(cat "$RESTORE_STAGED.origin" 2>/dev/null || printf 'unknown')
  if grep -q '^appendonly yes' "$REDIS_HA_CONFIG_SOURCE/redis.conf"; then
    # With the AOF on, Redis ignores dump.rdb and starts empty: the copy becomes the base of
    # a multi-part AOF (Redis 7 reads an RDB base), with its manifest.
    mkdir -p "$REDIS_DATA_DIR/appendonlydir"
    mv "$RESTORE_STAGED" "$REDIS_DATA_DIR/appendonlydir/appendonly.aof.1.base.rdb"
    printf 'file appendonly.aof.1.base.rdb seq 1 type b\n' >"$REDIS_DATA_DIR/appendonlydir/appendonly.aof.manifest"
  else
    mv "$RESTORE_STAGED" "$REDIS_DATA_DIR/dump.rdb"
  fi
  printf '%s restored %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$lr_origin" >"$RESTORE_MARKER"
  rm -f "$RESTORE_STAGED.origin"
  reset_position 0
  log "restore: every Redis pod is empty: loading the backup $lr_origin as this pod's data"
}

# Drops a staged backup this pod does not load (a master exists, or another pod's data won).
drop_restore() {
  [ -e "$RESTORE_STAGED" ] || return 0
  rm -f "$RESTORE_STAGED" "$RESTORE_STAGED.origin"
  log "restore: $1: the staged backup is not loaded"
}

{% endif %}
# A cold-starting pod waits with a stand-in server on its address: a replica of a name that
# never resolves, `redis-ha-hold.<position>.invalid`, holding no data. Its peers read the
# position from INFO replication; nobody takes it for a master.
HOLD_DOMAIN=invalid

# What a Redis pod says of itself: "master", "replica", "hold <position>", or nothing when it
# does not answer.
redis_state() {
  rs_info=$(redis_cli "$1" INFO replication 2>/dev/null | tr -d '\r') || return 0
  case "$(info_field "$rs_info" role)" in
    master) printf 'master\n' ;;
    slave)
      rs_host=$(info_field "$rs_info" master_host)
      case "$rs_host" in
        redis-ha-hold.*.$HOLD_DOMAIN)
          rs_pos=${rs_host#redis-ha-hold.}
          printf 'hold %s\n' "${rs_pos%."$HOLD_DOMAIN"}"
          ;;
        *) printf 'replica\n' ;;
      esac
      ;;
  esac
  return 0
}
{% if h.acl %}

# ACL users (auth.acl). The chart's tools log in as their own user with the release's password;
# the replicas and the sentinels as theirs, with passwords from the mounted ACL Secret.
: "${REDIS_ACL_DIR:={{ h.acl_dir }}}"
ACL_DISABLE_DEFAULT_USER={{ "yes" if Values.auth.acl.disableDefaultUser else "no" }}
ACL_CHART_USER={{ Values.auth.acl.chartUser.name | shquote }}
ACL_CHART_RULES={{ Values.auth.acl.chartUser.rules | shquote }}
ACL_REPLICATION_USER={{ Values.auth.acl.replicationUser.name | shquote }}
ACL_REPLICATION_PASSWORD_FILE="$REDIS_ACL_DIR"/{{ Values.auth.acl.replicationUser.passwordKey | shquote }}
ACL_SENTINEL_USER={{ Values.auth.acl.sentinelUser.name | shquote }}
ACL_SENTINEL_PASSWORD_FILE="$REDIS_ACL_DIR"/{{ Values.auth.acl.sentinelUser.passwordKey | shquote }}

# The tools' calls to Redis log in as the chart's user (redis-cli --user; the password still
# through REDISCLI_AUTH).
redis_cli() {
  rc_target=$1
  shift
  # shellcheck disable=SC2046 # the TLS arguments are paths without spaces
  REDISCLI_AUTH=$REDIS_PASSWORD timeout "$REDIS_CLI_TIMEOUT" \
    redis-cli $(tls_args) --user "$ACL_CHART_USER" -h "$rc_target" -p "$REDIS_PORT" "$@"
}

# The password in file $1 (a key of the mounted ACL Secret).
read_secret() {
  [ -r "$1" ] || die "cannot read the password file $1"
  rs_secret=$(cat "$1")
  [ -n "$rs_secret" ] || die "the password file $1 is empty"
  printf '%s\n' "$rs_secret"
}

# The SHA-256 of password $1 in hex, as an ACL `#<hash>` wants it (printf is a builtin: the
# password is on no command line).
password_hash() {
  printf '%s' "$1" | sha256sum | cut -d' ' -f1
}

# A password as a quoted redis.conf argument.
conf_quote() {
  printf '"%s"\n' "$(printf '%s' "$1" | sed 's/[\\"]/\\&/g')"
}

# Writes the ACL file $1: the default user (the release's password, or off), the chart's
# tools' user, the replication and Sentinel users and the application's users, each with the
# SHA-256 of its password; never a password in clear.
write_aclfile() {
  {
    if [ "$ACL_DISABLE_DEFAULT_USER" = yes ]; then
      printf 'user default off resetpass resetkeys resetchannels -@all\n'
    else
      printf 'user default on #%s ~* &* +@all\n' "$(password_hash "$REDIS_PASSWORD")"
    fi
    printf 'user %s on #%s resetchannels %s\n' "$ACL_CHART_USER" "$(password_hash "$REDIS_PASSWORD")" "$ACL_CHART_RULES"
    while read -r wa_name wa_key wa_rules; do
      wa_secret=$(read_secret "$REDIS_ACL_DIR/$wa_key") || exit 1
      printf 'user %s on #%s resetchannels %s\n' "$wa_name" "$(password_hash "$wa_secret")" "$wa_rules"
    done <<'EOF'
{% for user in h.acl_users %}
{{ user.name }} {{ user.passwordKey }} {{ user.rules }}
{% endfor %}
EOF
  } >"$1.tmp" || die "cannot write the ACL file $1"
  mv "$1.tmp" "$1"
}
{% endif %}
