{{/* The services, from the project's registry (scripts/gen-deploy.py writes registry.json). */}}
{{- define "chirp.registry" -}}
{{- .Files.Get "registry.json" -}}
{{- end -}}

{{- define "chirp.labels" -}}
app.kubernetes.io/name: chirp
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selects one service's pods: (dict "root" $ "name" "graph") */}}
{{- define "chirp.selector" -}}
app.kubernetes.io/name: chirp
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{- define "chirp.secretName" -}}
{{- .Values.existingSecret | default "chirp-backends" -}}
{{- end -}}

{{- define "chirp.jwtSecretName" -}}
{{- .Values.jwt.existingSecret | default "chirp-jwt" -}}
{{- end -}}
