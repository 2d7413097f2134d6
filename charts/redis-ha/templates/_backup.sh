#!/bin/sh
# The backup CronJob: copies the data set of one Redis pod to $BACKUP_DIR as
# dump-<UTC time>.rdb. A replica whose link to its master is up is preferred (the copy costs
# the master nothing: the replica forks, not the master); the master only when no replica is
# in sync. The copy is written under a temporary name, checked with redis-check-rdb, then
# renamed, so a reader never sees half a file; the oldest copies past BACKUP_KEEP are pruned.
# The password comes from the mounted Secret (common.sh), never from the command line.
set -eu
. "$(dirname "$0")/common.sh"

: "${BACKUP_DIR:={{ h.backup_dir }}}"
: "${BACKUP_KEEP:={{ Values.backup.keep }}}"
: "${BACKUP_TIMEOUT:={{ Values.backup.timeoutSeconds }}}"

load_password

# The pod to copy from: "host", a replica in sync first, else the master.
backup_source() {
  bs_master=
  bs_i=0
  while [ "$bs_i" -lt "$REDIS_REPLICAS" ]; do
    bs_host=$(redis_host "$bs_i")
    bs_info=$(redis_cli "$bs_host" INFO replication 2>/dev/null | tr -d '\r') || bs_info=
    case "$(info_field "$bs_info" role)" in
      slave)
        case "$(info_field "$bs_info" master_host)" in
          redis-ha-hold.*) ;;
          *)
            if [ "$(info_field "$bs_info" master_link_status)" = up ]; then
              printf '%s\n' "$bs_host"
              return 0
            fi
            ;;
        esac
        ;;
      master) [ -n "$bs_master" ] || bs_master=$bs_host ;;
    esac
    bs_i=$((bs_i + 1))
  done
  [ -n "$bs_master" ] || return 1
  printf '%s\n' "$bs_master"
}

source_host=$(backup_source) || die "no Redis pod is master or a replica in sync: nothing to copy"
mkdir -p "$BACKUP_DIR"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
file=$BACKUP_DIR/dump-$stamp.rdb
tmp=$BACKUP_DIR/.dump-$stamp.rdb.tmp
trap 'rm -f "$tmp"' EXIT
started=$(date +%s)
log "copying the data set of $source_host to $file"
REDIS_CLI_TIMEOUT=$BACKUP_TIMEOUT redis_cli "$source_host" --rdb "$tmp" >/dev/null ||
  die "redis-cli --rdb from $source_host failed"
timeout "$REDIS_HA_RDB_CHECK_TIMEOUT" redis-check-rdb "$tmp" >/dev/null 2>&1 ||
  die "the copy from $source_host does not pass redis-check-rdb"
mv "$tmp" "$file"
trap - EXIT
log "wrote $file ($(wc -c <"$file" | tr -d ' ') bytes in $(($(date +%s) - started))s)"

# Retention: the newest BACKUP_KEEP copies stay (the names sort by time).
ls "$BACKUP_DIR" | grep '^dump-[0-9TZ]*\.rdb$' | sort -r | sed "1,${BACKUP_KEEP}d" | while read -r old; do
  log "pruning $BACKUP_DIR/$old (keeping $BACKUP_KEEP)"
  rm -f "$BACKUP_DIR/$old"
done
# The upload container (if any) ships this copy.
printf '%s\n' "$file" >"$BACKUP_DIR/.latest"
