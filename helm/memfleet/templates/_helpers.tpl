{{/* Chart name, at most 63 characters. */}}
{{- define "memfleet.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Release-qualified name. Pods are named <fullname>-<ordinal> and the headless service <fullname>-headless,
so the name is cut to 40 characters: a pod's DNS label (<fullname>-<ordinal>) and the StatefulSet's
controller-revision-hash label (<fullname>-<10 characters>) stay within 63.
*/}}
{{- define "memfleet.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "memfleet.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "memfleet.labels" -}}
helm.sh/chart: {{ include "memfleet.chart" . }}
app.kubernetes.io/name: {{ include "memfleet.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: memfleet
{{- end }}

{{/* Selector labels of the cache nodes. */}}
{{- define "memfleet.node.selectorLabels" -}}
app.kubernetes.io/name: {{ include "memfleet.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: node
{{- end }}

{{/* Selector labels of the console. */}}
{{- define "memfleet.console.selectorLabels" -}}
app.kubernetes.io/name: {{ include "memfleet.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: console
{{- end }}

{{- define "memfleet.headless" -}}
{{- printf "%s-headless" (include "memfleet.fullname" .) }}
{{- end }}

{{- define "memfleet.console.fullname" -}}
{{- printf "%s-console" (include "memfleet.fullname" .) }}
{{- end }}

{{/* The replication group: the console shows the nodes under this name. */}}
{{- define "memfleet.group" -}}
{{- default (include "memfleet.fullname" .) .Values.group }}
{{- end }}

{{- define "memfleet.clusterDomain" -}}
{{- default "cluster.local" .Values.clusterDomain }}
{{- end }}

{{/* Replication runs when it is enabled and there is a peer to replicate with. */}}
{{- define "memfleet.replicating" -}}
{{- if and .Values.replication.enabled (gt (int .Values.node.replicas) 1) }}true{{ end }}
{{- end }}

{{/* Every pod's replication address, <pod>.<headless>.<ns>.svc.<domain>:<replication port>, comma-separated. */}}
{{- define "memfleet.peers" -}}
{{- $fullname := include "memfleet.fullname" . }}
{{- $headless := include "memfleet.headless" . }}
{{- $domain := include "memfleet.clusterDomain" . }}
{{- $peers := list }}
{{- range $i := until (int .Values.node.replicas) }}
{{- $peers = append $peers (printf "%s-%d.%s.%s.svc.%s:%d" $fullname $i $headless $.Release.Namespace $domain (int $.Values.replication.port)) }}
{{- end }}
{{- join "," $peers }}
{{- end }}

{{/*
The container memory limit in MiB, from the item memory (-m) and what the JVM and the node need beside it:
  items (-m) + hash index (-m / 16, rounded up) + heap (-Xmx) + direct buffers (-XX:MaxDirectMemorySize)
  + JVM native (metaspace, code cache, thread stacks, GC) + replication backlog (when replicating), and in a
  group of three or more one mirror of each other node's stream as large as the backlog
*/}}
{{- define "memfleet.node.memoryLimit" -}}
{{- $m := int .Values.node.memory }}
{{- $index := div (add $m 15) 16 }}
{{- $jvm := .Values.node.jvm }}
{{- $backlog := 0 }}
{{- if include "memfleet.replicating" . }}
{{- $rings := 1 }}{{ if ge (int .Values.node.replicas) 3 }}{{ $rings = int .Values.node.replicas }}{{ end }}
{{- $backlog = mul (int .Values.replication.backlogSize) $rings }}
{{- end }}
{{- add $m $index (int $jvm.heap) (int $jvm.directMemory) (int $jvm.native) $backlog }}
{{- end }}

{{- define "memfleet.node.image" -}}
{{- printf "%s:%s" .Values.node.image.repository (default .Chart.AppVersion .Values.node.image.tag) }}
{{- end }}

{{- define "memfleet.console.image" -}}
{{- printf "%s:%s" .Values.console.image.repository (default .Chart.AppVersion .Values.console.image.tag) }}
{{- end }}

{{/* The Secret holding the console's admin password hash. */}}
{{- define "memfleet.console.secretName" -}}
{{- default (include "memfleet.console.fullname" .) .Values.console.admin.existingSecret }}
{{- end }}

{{- define "memfleet.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsGroup }}
fsGroup: {{ .Values.securityContext.runAsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "memfleet.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsGroup }}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end }}
