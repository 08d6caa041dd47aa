{{/* The chart name, or nameOverride. */}}
{{- define "clusterdns.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release-qualified name: the release name alone when it already contains the chart name. */}}
{{- define "clusterdns.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "clusterdns.deploymentName" -}}
{{- default (include "clusterdns.fullname" .) .Values.deployment.name -}}
{{- end -}}

{{- define "clusterdns.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "clusterdns.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "clusterdns.k8sAppLabel" -}}
{{- default .Chart.Name .Values.k8sAppLabelOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels on every object. */}}
{{- define "clusterdns.labels" -}}
app.kubernetes.io/managed-by: {{ .Release.Service | quote }}
app.kubernetes.io/instance: {{ .Release.Name | quote }}
helm.sh/chart: "{{ .Chart.Name }}-{{ .Chart.Version | replace "+" "_" }}"
{{- if .Values.isClusterService }}
k8s-app: {{ include "clusterdns.k8sAppLabel" . }}
kubernetes.io/cluster-service: "true"
kubernetes.io/name: "clusterdns"
{{- end }}
app.kubernetes.io/name: {{ include "clusterdns.name" . }}
{{- end -}}

{{/* What the Deployment selects its pods by: this release's only, never CoreDNS's. */}}
{{- define "clusterdns.selectorLabels" -}}
app.kubernetes.io/name: {{ include "clusterdns.name" . }}
app.kubernetes.io/instance: {{ .Release.Name | quote }}
{{- end -}}

{{/*
The read-only access the kubernetes plugin needs: list and watch of what it indexes. Kept literal so
test/unit/chart checks it against the reflectors and against the API emulator's RBAC.
*/}}
{{- define "clusterdns.rbacRules" -}}
- apiGroups:
    - ""
  resources:
    - services
    - pods
    - namespaces
  verbs:
    - list
    - watch
- apiGroups:
    - discovery.k8s.io
  resources:
    - endpointslices
  verbs:
    - list
    - watch
{{- end -}}

{{/* The Corefile key of a server block: every zone with the block's port. */}}
{{- define "clusterdns.serverKey" -}}
{{- $port := .port -}}
{{- range $i, $zone := .zones -}}
{{- if $i }} {{ end -}}{{ default "" $zone.scheme }}{{ default "." $zone.zone }}{{ if $port }}:{{ $port }}{{ end -}}
{{- else -}}
.{{ if $port }}:{{ $port }}{{ end -}}
{{- end -}}
{{- end -}}
