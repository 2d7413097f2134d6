{% import "_helpers.tpl" as h %}
#!/bin/sh
# Starts HAProxy in front of the Redis pods (haproxy.cfg in the ConfigMap). Its health checks
# authenticate with the password of the Secret: it is read here and handed to HAProxy in the
# environment, as the RESP command `AUTH <password>` hex-encoded (HAProxy's `send-binary`
# sends it byte for byte, whatever the password holds). Never in a file, never on a command
# line: printf is a shell builtin, od reads it on standard input.
set -eu
. "$(dirname "$0")/common.sh"

# Address the endpoints listen on; empty is every IPv4 interface.
: "${HAPROXY_BIND:=}"
export HAPROXY_BIND

load_password
HAPROXY_REDIS_AUTH=
if [ -n "$REDIS_PASSWORD" ]; then
  length=$(printf '%s' "$REDIS_PASSWORD" | wc -c | tr -d ' ')
{% if h.acl %}
  # AUTH <user> <password>: the chart's tools' user.
  user_length=$(printf '%s' "$ACL_CHART_USER" | wc -c | tr -d ' ')
  HAPROXY_REDIS_AUTH=$(printf '*3\r\n$4\r\nAUTH\r\n$%s\r\n%s\r\n$%s\r\n%s\r\n' "$user_length" "$ACL_CHART_USER" "$length" "$REDIS_PASSWORD" | od -An -v -tx1 | tr -d ' \n')
{% else %}
  HAPROXY_REDIS_AUTH=$(printf '*2\r\n$4\r\nAUTH\r\n$%s\r\n%s\r\n' "$length" "$REDIS_PASSWORD" | od -An -v -tx1 | tr -d ' \n')
{% endif %}
fi
export HAPROXY_REDIS_AUTH
unset REDIS_PASSWORD

if [ "$TLS_ENABLED" = yes ]; then
  HAPROXY_CA_FILE=$TLS_CA_FILE
  # HAProxy reads a client certificate and its key from one file.
  HAPROXY_CHECK_CERT=${TMPDIR:-/tmp}/redis-ha-check.pem
  (umask 077 && cat "$TLS_CERT_FILE" "$TLS_KEY_FILE" >"$HAPROXY_CHECK_CERT") ||
    die "cannot write $HAPROXY_CHECK_CERT"
  export HAPROXY_CA_FILE HAPROXY_CHECK_CERT
fi

log "starting HAProxy: master endpoint on port {{ Values.haproxy.masterPort }}{{ ", replicas on port " ~ Values.haproxy.replicasPort if h.haproxy_read_only else "" }}"
exec haproxy -W -db -f "$REDIS_HA_CONFIG_SOURCE/haproxy.cfg"
