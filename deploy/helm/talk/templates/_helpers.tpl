{{/*
Only Go's own template functions here (no Sprig, no include): the tests render the chart with Go's
text/template engine itself. A template is called with the root context.
talk.commonLabels is placed at an indentation of 4 spaces (under metadata.labels).
*/}}
{{- define "talk.commonLabels" -}}
app.kubernetes.io/part-of: talk
    app.kubernetes.io/instance: {{ .Release.Name }}
    app.kubernetes.io/managed-by: {{ .Release.Service }}
    helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end }}
