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

{{/* Variables the chart sets from its structured values; the same name under `env` would be a second, conflicting value. */}}
{{- define "resident-access.chartOwnedVariables" -}}
{{- list "GRPC_HOST" "GRPC_PORT" "GRPC_HEALTH_PORT" "METRICS_HOST" "METRICS_PORT" "SHUTDOWN_GRACE_MS" "GRPC_TLS_CERT_FILE" "GRPC_TLS_KEY_FILE" "GRPC_TLS_CLIENT_CA_FILE" "GRPC_ALLOW_INSECURE" "MONGODB_TLS" "MONGODB_TLS_CA_FILE" "MONGODB_TLS_CERT_KEY_FILE" "MONGODB_ALLOW_INSECURE" "KAFKA_SSL" "KAFKA_SSL_CA_FILE" "KAFKA_SSL_CERT_FILE" "KAFKA_SSL_KEY_FILE" "KAFKA_ALLOW_INSECURE" | toJson -}}
{{- end -}}

{{/* A client certificate comes from the Secret, so it needs one. */}}
{{- define "resident-access.checkServerTls" -}}
{{- range $name, $server := dict "mongodb" .Values.mongodb "kafka" .Values.kafka -}}
{{- if and $server.tls.enabled $server.tls.clientCertificate (not $server.tls.secretName) -}}
{{- fail (printf "%s.tls.clientCertificate needs %s.tls.secretName" $name $name) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
The TCP ports the service connects to, from the servers named in `env`: every KAFKA_BROKERS port,
every MONGODB_URI port (27017 where none is written, and for mongodb+srv://, whose servers DNS
names), the port of AUTH_JWKS_URL and OTEL_EXPORTER_OTLP_ENDPOINT (443 for https:, 80 for http:),
and networkPolicy.egress.extraPorts. A JSON list of { port, protocol }.
*/}}
{{- define "resident-access.egressPorts" -}}
{{- $env := .Values.env -}}
{{- $ports := list -}}
{{- range splitList "," (toString (default "" $env.KAFKA_BROKERS)) -}}
{{- $port := regexFind "[0-9]+$" (trim .) -}}
{{- if $port }}{{- $ports = append $ports (atoi $port) -}}{{- end -}}
{{- end -}}
{{- if $env.MONGODB_URI -}}
{{- $hosts := regexReplaceAll "[/?].*$" (regexReplaceAll "^mongodb(\\+srv)?://([^/?]*@)?" (toString $env.MONGODB_URI) "") "" -}}
{{- range splitList "," $hosts -}}
{{- $port := regexFind "[0-9]+$" (regexFind ":[0-9]+$" .) -}}
{{- $ports = append $ports (atoi (default "27017" $port)) -}}
{{- end -}}
{{- end -}}
{{- range $url := list $env.AUTH_JWKS_URL $env.OTEL_EXPORTER_OTLP_ENDPOINT -}}
{{- if $url -}}
{{- $parsed := urlParse (toString $url) -}}
{{- $port := regexFind "[0-9]+$" (regexFind ":[0-9]+$" $parsed.host) -}}
{{- $ports = append $ports (atoi (default (ternary "443" "80" (eq $parsed.scheme "https")) $port)) -}}
{{- end -}}
{{- end -}}
{{- $rules := list -}}
{{- range $port := $ports | uniq -}}
{{- $rules = append $rules (dict "port" $port "protocol" "TCP") -}}
{{- end -}}
{{- concat $rules $.Values.networkPolicy.egress.extraPorts | toJson -}}
{{- end -}}

{{/* The labels of `helm test`'s pod, by which the NetworkPolicy lets it reach the health port; not the service's, which would put it behind the Services and the PodDisruptionBudget. */}}
{{- define "resident-access.healthTestLabels" -}}
app.kubernetes.io/name: {{ include "resident-access.name" . }}-health-test
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
