{{- define "resident-access.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "resident-access.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "resident-access.selectorLabels" -}}
app.kubernetes.io/name: {{ include "resident-access.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "resident-access.labels" -}}
{{ include "resident-access.selectorLabels" . }}
app.kubernetes.io/version: {{ include "resident-access.imageTag" . | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "resident-access.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "resident-access.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* A fixed image version: a moving tag would let two pods of one release run different code. */}}
{{- define "resident-access.imageTag" -}}
{{- $tag := toString (default .Chart.AppVersion .Values.image.tag) -}}
{{- if or (eq $tag "") (eq $tag "latest") -}}
{{- fail "image.tag must be a fixed version, not empty or latest" -}}
{{- end -}}
{{- $tag -}}
{{- end -}}

{{/* SIGTERM arrives after the preStop pause; then the service has graceMs for calls in flight and the margin for the rest of its stop. */}}
{{- define "resident-access.terminationGracePeriodSeconds" -}}
{{- $s := .Values.shutdown -}}
{{- add (int $s.preStopSeconds) (div (add (int $s.graceMs) 999) 1000) (int $s.marginSeconds) -}}
{{- end -}}
