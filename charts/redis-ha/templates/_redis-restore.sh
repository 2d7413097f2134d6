#!/bin/sh
# The restore step (an init container of the Redis pods, restore.enabled): stages a backup on
# pod 0's volume as $RESTORE_STAGED when that volume is empty and was never restored. Staging
# decides nothing: redis-start.sh loads the staged copy only when the cold-start election finds
# every Redis pod empty, and deletes it otherwise, so a backup never overwrites data. Runs in
# the image of restore.source.image (its /bin/sh), with the scripts of the chart mounted.
set -eu
. "$(dirname "$0")/common.sh"

: "${RESTORE_SOURCE_DIR:={{ h.restore_source_dir }}}"
[ -n "${RESTORE_SOURCE_PATH+set}" ] || RESTORE_SOURCE_PATH={{ Values.restore.source.path | shquote }}

[ "$(pod_ordinal)" = 0 ] || exit 0
if has_data; then
  log "restore: $REDIS_DATA_DIR holds data: nothing to restore"
  exit 0
fi
if [ -e "$RESTORE_MARKER" ]; then
  log "restore: this volume was restored before ($(cat "$RESTORE_MARKER")): not again"
  exit 0
fi
RESTORE_FILE=$RESTORE_STAGED.tmp
export RESTORE_FILE
rm -f "$RESTORE_FILE"
started=$(date +%s)
if [ -n "${RESTORE_COMMAND:-}" ]; then
  log "restore: fetching the backup with restore.source.command"
  /bin/sh -c "$RESTORE_COMMAND" || die "restore: restore.source.command failed"
  origin=command
else
  origin=$RESTORE_SOURCE_PATH
  if [ -z "$origin" ]; then
    origin=$(ls "$RESTORE_SOURCE_DIR" | grep '^dump-[0-9TZ]*\.rdb$' | sort -r | sed -n 1p)
    [ -n "$origin" ] || die "restore: $RESTORE_SOURCE_DIR holds no dump-*.rdb"
  fi
  [ -s "$RESTORE_SOURCE_DIR/$origin" ] || die "restore: $RESTORE_SOURCE_DIR/$origin is missing or empty"
  cp "$RESTORE_SOURCE_DIR/$origin" "$RESTORE_FILE"
fi
[ -s "$RESTORE_FILE" ] || die "restore: the fetched backup is missing or empty"
mv "$RESTORE_FILE" "$RESTORE_STAGED"
printf '%s\n' "$origin" >"$RESTORE_STAGED.origin"
log "restore: staged $origin ($(wc -c <"$RESTORE_STAGED" | tr -d ' ') bytes in $(($(date +%s) - started))s); it seeds the release if every Redis pod is empty"
