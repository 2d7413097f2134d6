{#- Names, labels and the pod pieces every workload shares. Every object name and every label
    set comes from here, so a rename happens in one place. Imported as `h`. -#}

{#- Names. Object names are DNS-1123 labels: at most 63 characters. -#}
{% set fullname = (Values.fullnameOverride or Release.Name) | trunc(63) | trimsuffix("-") %}
{% set chart_name = (Values.nameOverride or Chart.Name) | trunc(63) | trimsuffix("-") %}
{% set standalone = Values.architecture == "standalone" %}
{% set sentinel = Values.architecture == "sentinel" %}
{% set cluster = Values.architecture == "cluster" %}
{#- The pod count; `topology` (ClusterTopology::pods) says the same to lint and diff. -#}
{% set redis_replicas = 1 if standalone else (Values.cluster.shards * (1 + Values.cluster.replicasPerShard) if cluster else Values.replicas) %}
{#- What a partitioned master may accept. `min-replicas-to-write` has no meaning without a
    replica. With Sentinel, `min-replicas-max-lag` 0 derives the lag from
    `down-after-milliseconds`: the master counts a replica for up to lag + 2 s after its last
    ACK (Redis counts in whole seconds and refreshes the count once a second), and the
    sentinels promote a replica no sooner than down-after; so lag <= down-after - 2 s leaves no
    moment with two writable masters (rule `min-replicas-max-lag-too-long`). -#}
{#- In a cluster each master has its shard's replicas only. -#}
{% set min_replicas_to_write = 0 if standalone else ([Values.redis.minReplicasToWrite, Values.cluster.replicasPerShard] | min if cluster else Values.redis.minReplicasToWrite) %}
{#- A cluster's replica takes over after `cluster-node-timeout`: the same bound holds with it. -#}
{% set failure_detection_ms = Values.sentinel.downAfterMilliseconds if sentinel else (Values.cluster.nodeTimeout if cluster else none) %}
{% set min_replicas_max_lag = Values.redis.minReplicasMaxLag or ([failure_detection_ms // 1000 - 2, 1] | max if failure_detection_ms else 10) %}
{% set auth = Values.auth.enabled %}
{% set sentinel_auth = Values.auth.enabled and Values.auth.sentinel %}
{#- With neither a password nor an existing Secret, the pods read the Secret `<fullname>-auth`,
    which the user creates before installing (the render says so): the chart never invents a
    password, and a bare render still works. -#}
{% set chart_secret = Values.auth.enabled and Values.auth.password and not Values.auth.existingSecret %}
{% set user_secret = Values.auth.enabled and not chart_secret %}
{#- ACL users (auth.acl): the users whose passwords are keys of the ACL Secret; the chart's
    tools log in as `chartUser` with the release's password. -#}
{% set acl = Values.auth.enabled and Values.auth.acl.enabled %}
{% set acl_users = [Values.auth.acl.replicationUser, Values.auth.acl.sentinelUser] + Values.auth.acl.users %}
{% set exporter_deployment = Values.exporter.enabled and Values.exporter.mode == "deployment" %}
{% set exporter_sidecar = Values.exporter.enabled and Values.exporter.mode == "sidecar" %}
{% set exporter_namespace = Values.exporter.namespace or Release.Namespace %}
{% set haproxy = Values.haproxy.enabled %}
{% set haproxy_read_only = Values.haproxy.enabled and Values.haproxy.readOnlyService %}
{% set config_command = Values.redis.renameCommands["CONFIG"] if "CONFIG" in Values.redis.renameCommands else "CONFIG" %}

{#- Where the pods mount what the scripts read; the scripts default to the same paths. -#}
{% set scripts_dir = "/opt/redis-ha/scripts" %}
{% set config_source_dir = "/opt/redis-ha/conf" %}
{% set config_dir = "/opt/redis-ha/run" %}
{% set secret_dir = "/opt/redis-ha/secret" %}
{% set acl_dir = "/opt/redis-ha/acl" %}
{% set tls_dir = "/opt/redis-ha/tls" %}
{% set data_dir = "/data" %}
{% set backup_dir = "/backup" %}
{% set restore_source_dir = "/opt/redis-ha/restore" %}

{% macro name(suffix) %}{{ (fullname ~ "-" ~ suffix) | trunc(63) | trimsuffix("-") }}{% endmacro %}

{% set redis_statefulset = name("redis") %}
{% set redis_headless = name("redis-headless") %}
{% set sentinel_statefulset = name("sentinel") %}
{% set sentinel_headless = name("sentinel-headless") %}
{% set auth_secret = Values.auth.existingSecret or (name("redis-auth") if chart_secret else name("auth")) %}
{% set auth_secret_key = Values.auth.existingSecretPasswordKey if user_secret else "redis-password" %}
{% set backup_claim = Values.backup.persistence.existingClaim or name("backup") %}
{% set acl_secret = Values.auth.acl.existingSecret or auth_secret %}
{% set service_account = Values.serviceAccount.name or (fullname if Values.serviceAccount.create else "default") %}

{#- Refuse values that would render a deployment that cannot work. -#}
{% macro checks() %}
{% if Values.auth.acl.enabled and not Values.auth.enabled %}
{{ fail("auth.acl.enabled is true but auth.enabled is false: ACL users need authentication on") }}
{% endif %}
{% if acl %}
{% set names = [Values.auth.acl.chartUser.name] + acl_users | map(attribute="name") | list %}
{% for n in names %}
{% if n == "default" %}
{{ fail("auth.acl: the user name `default` is the default user's: use auth.acl.disableDefaultUser to switch it off, another name for a user") }}
{% endif %}
{% if names | select("equalto", n) | list | length > 1 %}
{{ fail("auth.acl: the user name `" ~ n ~ "` is given twice: every user needs a name of its own") }}
{% endif %}
{% endfor %}
{% if chart_secret and not Values.auth.acl.existingSecret and not cluster %}
{{ fail("auth.acl.enabled is true with an inline auth.password and no auth.acl.existingSecret: the Secret the chart renders holds the release password only, so the ACL users' passwords (" ~ (acl_users | map(attribute="passwordKey") | join(", ")) ~ ") would be missing and no pod would start: name the Secret that holds them in auth.acl.existingSecret") }}
{% endif %}
{% endif %}
{% if Values.tls.enabled and not Values.tls.existingSecret %}
{{ fail("tls.enabled is true but tls.existingSecret is empty: name the Secret holding the certificate, key and CA") }}
{% endif %}
{% if sentinel and ("CONFIG" in Values.redis.disableCommands or "config" in Values.redis.disableCommands) %}
{{ fail("redis.disableCommands disables CONFIG, which Sentinel needs to reconfigure replicas in a failover: rename it in redis.renameCommands instead") }}
{% endif %}
{% if exporter_deployment and auth and not sentinel_auth and sentinel %}
{{ fail("exporter.mode=deployment scrapes Sentinel with the Redis password, but auth.sentinel is false: set auth.sentinel=true or exporter.mode=sidecar") }}
{% endif %}
{% if cluster and Values.haproxy.enabled %}
{{ fail("haproxy.enabled is true with architecture cluster: a cluster has one master per shard and its clients follow the cluster's redirects, so there is no single master to route to: set haproxy.enabled=false") }}
{% endif %}
{% if cluster and acl %}
{{ fail("auth.acl.enabled is true with architecture cluster: the cluster's scripts log in with the release password as the default user, and ACL users are proven with Sentinel only: set auth.acl.enabled=false") }}
{% endif %}
{% if cluster and (Values.backup.enabled or Values.restore.enabled) %}
{{ fail("backup.enabled or restore.enabled is true with architecture cluster: the backup copies one data set and the restore seeds one master, but a cluster holds one data set per shard: set backup.enabled=false and restore.enabled=false (back each shard's master up with your own job)") }}
{% endif %}
{% endmacro %}

{#- DNS name of pod `ordinal` of a StatefulSet behind its headless Service. -#}
{% macro pod_host(statefulset, headless, ordinal) %}{{ statefulset }}-{{ ordinal }}.{{ headless }}.{{ Release.Namespace }}.svc.{{ Values.clusterDomain }}{% endmacro %}

{% macro image(spec) %}{{ spec.registry ~ "/" if spec.registry else "" }}{{ spec.repository }}:{{ spec.tag }}{{ "@" ~ spec.digest if spec.digest else "" }}{% endmacro %}

{#- The labels every pod of the release carries. -#}
{% macro instance_labels() %}
{% set out %}
app.kubernetes.io/name: {{ chart_name }}
app.kubernetes.io/instance: {{ Release.Name }}
{% endset %}
{{- out | trim -}}
{% endmacro %}

{#- The labels a selector matches: stable for the life of the release. -#}
{% macro selector_labels(component) %}
{% set out %}
{{ instance_labels() }}
app.kubernetes.io/component: {{ component }}
{% endset %}
{{- out | trim -}}
{% endmacro %}

{% macro labels(component) %}
{% set out %}
helm.sh/chart: {{ Chart.Name }}-{{ Chart.Version | replace("+", "_") }}
{{ selector_labels(component) }}
app.kubernetes.io/version: {{ Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ Release.Service }}
app.kubernetes.io/part-of: {{ chart_name }}
{% for key, value in Values.commonLabels | dictsort %}
{{ key }}: {{ value | quote }}
{% endfor %}
{% endset %}
{{- out | trim -}}
{% endmacro %}

{#- `metadata:` content of an object: name, namespace, labels, annotations. -#}
{% macro metadata(object_name, component, namespace=none, annotations={}, extra_labels={}) %}
{% set out %}
name: {{ object_name }}
namespace: {{ namespace or Release.Namespace }}
labels:
{{ labels(component) | indent(2) }}
{% for key, value in extra_labels | dictsort %}
  {{ key }}: {{ value | quote }}
{% endfor %}
{% if Values.commonAnnotations or annotations %}
annotations:
{% for key, value in Values.commonAnnotations | dictsort %}
  {{ key }}: {{ value | quote }}
{% endfor %}
{% for key, value in annotations | dictsort %}
  {{ key }}: {{ value | quote }}
{% endfor %}
{% endif %}
{% endset %}
{{- out | trim -}}
{% endmacro %}

{#- `metadata:` content of a pod template: labels and annotations (checksums first). -#}
{% macro pod_metadata(component, checksums={}) %}
{% set out %}
labels:
{{ labels(component) | indent(2) }}
{% for key, value in Values.podLabels | dictsort %}
  {{ key }}: {{ value | quote }}
{% endfor %}
{% if checksums or Values.podAnnotations %}
annotations:
{% for key, value in checksums | dictsort %}
  checksum/{{ key }}: {{ value | quote }}
{% endfor %}
{% for key, value in Values.podAnnotations | dictsort %}
  {{ key }}: {{ value | quote }}
{% endfor %}
{% endif %}
{% endset %}
{{- out | trim -}}
{% endmacro %}

{#- Pod-level settings shared by every pod: identity, security, placement. -#}
{% macro pod_spec(component, spread=true) %}
{% set out %}
serviceAccountName: {{ service_account }}
automountServiceAccountToken: {{ Values.serviceAccount.automountServiceAccountToken }}
enableServiceLinks: false
securityContext:
{{ Values.podSecurityContext | toyaml | indent(2) }}
{% if Values.imagePullSecrets %}
imagePullSecrets:
{% for secret in Values.imagePullSecrets %}
  - name: {{ secret }}
{% endfor %}
{% endif %}
{% if Values.priorityClassName %}
priorityClassName: {{ Values.priorityClassName }}
{% endif %}
{% if Values.nodeSelector %}
nodeSelector:
{{ Values.nodeSelector | toyaml | indent(2) }}
{% endif %}
{% if Values.tolerations %}
tolerations:
{{ Values.tolerations | toyaml | indent(2) }}
{% endif %}
{% if spread %}
affinity:
  podAntiAffinity:
{% if Values.antiAffinity == "hard" %}
    requiredDuringSchedulingIgnoredDuringExecution:
      - topologyKey: {{ Values.antiAffinityTopologyKey }}
        labelSelector:
          matchLabels:
{{ selector_labels(component) | indent(12) }}
{% else %}
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          topologyKey: {{ Values.antiAffinityTopologyKey }}
          labelSelector:
            matchLabels:
{{ selector_labels(component) | indent(14) }}
{% endif %}
{% if Values.topologySpreadConstraints %}
topologySpreadConstraints:
{% for constraint in Values.topologySpreadConstraints %}
  - topologyKey: {{ constraint.topologyKey }}
    maxSkew: {{ constraint.maxSkew }}
    whenUnsatisfiable: {{ constraint.whenUnsatisfiable }}
    labelSelector:
      matchLabels:
{{ selector_labels(component) | indent(8) }}
{% endfor %}
{% endif %}
{% endif %}
{% endset %}
{{- out | trim -}}
{% endmacro %}

{% macro container_security_context() %}
{% set out %}
securityContext:
{{ Values.containerSecurityContext | toyaml | indent(2) }}
{% endset %}
{{- out | trim -}}
{% endmacro %}

{% macro resources(spec) %}
{% set out %}
resources:
{{ spec | toyaml | indent(2) }}
{% endset %}
{{- out | trim -}}
{% endmacro %}

{#- The downward-API variables every script reads. -#}
{% macro pod_env() %}
{% set out %}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
{% endset %}
{{- out | trim -}}
{% endmacro %}

{#- An exec probe running one of the chart's scripts. -#}
{% macro probe(kind, spec, script) %}
{% set out %}
{% if spec.enabled %}
{{ kind }}Probe:
  exec:
    command: ["/bin/sh", "{{ scripts_dir }}/{{ script }}", "{{ kind }}"]
  initialDelaySeconds: {{ spec.initialDelaySeconds }}
  periodSeconds: {{ spec.periodSeconds }}
  timeoutSeconds: {{ spec.timeoutSeconds }}
  failureThreshold: {{ spec.failureThreshold }}
  successThreshold: {{ 1 if kind != "readiness" else spec.successThreshold }}
{% endif %}
{% endset %}
{{- out | trim -}}
{% endmacro %}

{#- Volumes of a Redis or Sentinel pod: scripts, its ConfigMap, the writable config dir,
    /tmp, the password and the TLS files. -#}
{% macro volumes(config_map) %}
{% set out %}
- name: scripts
  configMap:
    name: {{ name("scripts") }}
    defaultMode: 365  # 0555
- name: config-source
  configMap:
    name: {{ config_map }}
- name: config
  emptyDir:
    medium: Memory
    sizeLimit: 16Mi
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{% if auth %}
- name: auth
  secret:
    secretName: {{ auth_secret }}
    defaultMode: 288  # 0440
    items:
      - key: {{ auth_secret_key }}
        path: password
{% endif %}
{% if acl %}
- name: acl
  secret:
    secretName: {{ acl_secret }}
    defaultMode: 288  # 0440
    items:
{% for user in acl_users %}
      - key: {{ user.passwordKey }}
        path: {{ user.passwordKey }}
{% endfor %}
{% endif %}
{% if Values.tls.enabled %}
- name: tls
  secret:
    secretName: {{ Values.tls.existingSecret }}
    defaultMode: 288  # 0440
{% endif %}
{% endset %}
{{- out | trim -}}
{% endmacro %}

{% macro volume_mounts() %}
{% set out %}
- name: scripts
  mountPath: {{ scripts_dir }}
  readOnly: true
- name: config-source
  mountPath: {{ config_source_dir }}
  readOnly: true
- name: config
  mountPath: {{ config_dir }}
- name: tmp
  mountPath: /tmp
{% if auth %}
- name: auth
  mountPath: {{ secret_dir }}
  readOnly: true
{% endif %}
{% if acl %}
- name: acl
  mountPath: {{ acl_dir }}
  readOnly: true
{% endif %}
{% if Values.tls.enabled %}
- name: tls
  mountPath: {{ tls_dir }}
  readOnly: true
{% endif %}
{% endset %}
{{- out | trim -}}
{% endmacro %}

{#- redis_exporter's environment; `targets` is empty for the multi-target Deployment. -#}
{% macro exporter_env(address, with_password) %}
{% set out %}
- name: REDIS_ADDR
  value: {{ address | quote }}
- name: REDIS_EXPORTER_WEB_LISTEN_ADDRESS
  value: ":{{ Values.exporter.port }}"
- name: REDIS_EXPORTER_CONFIG_COMMAND
  value: {{ config_command | quote }}
{% if with_password and acl %}
- name: REDIS_USER
  value: {{ Values.auth.acl.chartUser.name | quote }}
{% endif %}
{% if with_password %}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ auth_secret }}
      key: {{ auth_secret_key }}
{% endif %}
{% if Values.tls.enabled %}
- name: REDIS_EXPORTER_TLS_CLIENT_CERT_FILE
  value: {{ tls_dir }}/{{ Values.tls.certFilename }}
- name: REDIS_EXPORTER_TLS_CLIENT_KEY_FILE
  value: {{ tls_dir }}/{{ Values.tls.keyFilename }}
- name: REDIS_EXPORTER_TLS_CA_CERT_FILE
  value: {{ tls_dir }}/{{ Values.tls.caFilename }}
{% endif %}
{% if Values.exporter.extraEnv %}
{{ Values.exporter.extraEnv | toyaml }}
{% endif %}
{% endset %}
{{- out | trim -}}
{% endmacro %}

{#- The exporter as a sidecar, scraping its pod's server on `port`. -#}
{% macro exporter_sidecar_container(port, with_password) %}
{% set out %}
- name: exporter
  image: {{ image(Values.exporter.image) | quote }}
  imagePullPolicy: {{ Values.exporter.image.pullPolicy }}
  env:
{{ exporter_env(("rediss" if Values.tls.enabled else "redis") ~ "://localhost:" ~ port, with_password) | indent(4) }}
{% if Values.tls.enabled %}
    # The certificate names the pod's DNS names, not localhost.
    - name: REDIS_EXPORTER_SKIP_TLS_VERIFICATION
      value: "true"
{% endif %}
  ports:
    - name: metrics
      containerPort: {{ Values.exporter.port }}
      protocol: TCP
  livenessProbe:
    httpGet:
      path: /health
      port: metrics
    periodSeconds: 20
    timeoutSeconds: 5
  readinessProbe:
    httpGet:
      path: /health
      port: metrics
    periodSeconds: 10
    timeoutSeconds: 5
{{ container_security_context() | indent(2) }}
{{ resources(Values.exporter.resources) | indent(2) }}
{% if Values.tls.enabled %}
  volumeMounts:
    - name: tls
      mountPath: {{ tls_dir }}
      readOnly: true
{% endif %}
{% endset %}
{{- out | trim -}}
{% endmacro %}

{#- NetworkPolicy peers in `namespace` (none: the release namespace), seen from a policy in
    `policy_namespace` (none: the release namespace): a namespaceSelector when they differ. -#}
{% macro peer(component, namespace=none, policy_namespace=none) %}
{% set out %}
- podSelector:
    matchLabels:
{{ selector_labels(component) | indent(6) }}
{% if namespace and namespace != (policy_namespace or Release.Namespace) %}
  namespaceSelector:
    matchLabels:
      kubernetes.io/metadata.name: {{ namespace }}
{% endif %}
{% endset %}
{{- out | trim -}}
{% endmacro %}

{#- The clients allowed by networkPolicy: the release namespace and the listed namespaces. -#}
{% macro client_peers() %}
{% set out %}
{% set policy = Values.networkPolicy %}
{% if policy.allowSameNamespace %}
{% if policy.clientPodLabels %}
- podSelector:
    matchLabels:
{{ policy.clientPodLabels | toyaml | indent(6) }}
{% else %}
- podSelector: {}
{% endif %}
{% endif %}
{% for namespace in policy.clientNamespaces %}
- namespaceSelector:
    matchLabels:
      kubernetes.io/metadata.name: {{ namespace }}
{% if policy.clientPodLabels %}
  podSelector:
    matchLabels:
{{ policy.clientPodLabels | toyaml | indent(6) }}
{% endif %}
{% endfor %}
{% endset %}
{{- out | trim -}}
{% endmacro %}

{% macro monitoring_peer() %}
{% set out %}
- namespaceSelector:
    matchLabels:
      kubernetes.io/metadata.name: {{ Values.networkPolicy.monitoringNamespace }}
{% if Values.networkPolicy.monitoringPodLabels %}
  podSelector:
    matchLabels:
{{ Values.networkPolicy.monitoringPodLabels | toyaml | indent(6) }}
{% endif %}
{% endset %}
{{- out | trim -}}
{% endmacro %}

{#- DNS, to any resolver (CoreDNS, NodeLocal DNSCache...). -#}
{% macro dns_egress() %}
- ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
{%- endmacro %}

{#- A NetworkPolicy for the Redis or Sentinel pods: clients, each other, the exporter. -#}
{% macro server_network_policy(component, port_name, port) %}
{% set out %}
{% set policy = Values.networkPolicy %}
{% set clients = client_peers() %}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
{{ metadata(name(component), component) | indent(2) }}
spec:
  podSelector:
    matchLabels:
{{ selector_labels(component) | indent(6) }}
  policyTypes:
    - Ingress
    - Egress
  ingress:
{% if clients %}
    # Clients.
    - from:
{{ clients | indent(8) }}
      ports:
        - port: {{ port_name }}
          protocol: TCP
{% endif %}
    # Redis and Sentinel pods: replication, monitoring, the start-up scripts{{ ", the exporter" if exporter_deployment else "" }}.
    - from:
{{ peer("redis") | indent(8) }}
{% if sentinel %}
{{ peer("sentinel") | indent(8) }}
{% endif %}
{% if exporter_deployment %}
{{ peer("exporter", exporter_namespace) | indent(8) }}
{% endif %}
{% if haproxy and component == "redis" %}
{{ peer("haproxy") | indent(8) }}
{% endif %}
{% if Values.backup.enabled and component == "redis" %}
{{ peer("backup") | indent(8) }}
{% endif %}
      ports:
        - port: {{ port_name }}
          protocol: TCP
{% if cluster and component == "redis" %}
    # The other cluster nodes: gossip, failure detection and failover votes.
    - from:
{{ peer("redis") | indent(8) }}
      ports:
        - port: cluster-bus
          protocol: TCP
{% endif %}
{% if exporter_sidecar and policy.monitoringNamespace %}
    # Prometheus scrapes the exporter sidecar.
    - from:
{{ monitoring_peer() | indent(8) }}
      ports:
        - port: metrics
          protocol: TCP
{% endif %}
{% if policy.extraIngress %}
{{ policy.extraIngress | toyaml | indent(4) }}
{% endif %}
  egress:
{{ dns_egress() | indent(4) }}
    - to:
{{ peer("redis") | indent(8) }}
      ports:
        - port: {{ Values.redis.port }}
          protocol: TCP
{% if cluster %}
        - port: {{ Values.cluster.busPort }}
          protocol: TCP
{% endif %}
{% if sentinel %}
    - to:
{{ peer("sentinel") | indent(8) }}
      ports:
        - port: {{ Values.sentinel.port }}
          protocol: TCP
{% endif %}
{% if policy.extraEgress %}
{{ policy.extraEgress | toyaml | indent(4) }}
{% endif %}
{% endset %}
{{- out | trim -}}
{% endmacro %}

{#- The HAProxy health check of a backend: AUTH (the RESP command haproxy-start.sh built
    from the Secret, hex-encoded so any password is sent as it is), PING, then `INFO
    replication` must hold `role` (`role:master` or `role:slave`); then every Redis pod. -#}
{% macro haproxy_check(role) %}
{% set out %}
option tcp-check
tcp-check connect
{% if auth %}
tcp-check send-binary "${HAPROXY_REDIS_AUTH}"
tcp-check expect string +OK
{% endif %}
tcp-check send "PING\r\n"
tcp-check expect string +PONG
tcp-check send "INFO replication\r\n"
tcp-check expect string {{ role }}
tcp-check send "QUIT\r\n"
tcp-check expect string +OK
{% for i in range(redis_replicas) %}
server {{ redis_statefulset }}-{{ i }} {{ pod_host(redis_statefulset, redis_headless, i) }}:{{ Values.redis.port }}
{% endfor %}
{% endset %}
{{- out | trim -}}
{% endmacro %}
