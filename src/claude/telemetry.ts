/**
 * Claude Code's own OpenTelemetry export, as environment variables: with `claudeTelemetry` configured,
 * every session starts with its telemetry on and exporting to the operator's collector, its resource
 * tagged with the Aegis session id and the name of the key that started it, so a dashboard can tell
 * sessions and callers apart. The headers may carry the collector's credentials: they are in Claude's
 * environment (as its API key is) and nowhere else Aegis writes.
 */
import type { ClaudeTelemetryConfig } from '../config/claude-telemetry-schema.js';

export interface TelemetryTags {
  sessionId: string;
  /** The API key's name; `master` or `open` for a session started without a key. */
  keyName: string;
  /** The API key's id; null without one. */
  keyId: string | null;
}

/** `name=value` pairs joined by commas, values percent-encoded, as the OTEL_* list variables take them. */
function keyValueList(entries: Record<string, string>): string {
  return Object.entries(entries).map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join(',');
}

export function telemetryEnv(telemetry: ClaudeTelemetryConfig, tags: TelemetryTags): Record<string, string> {
  const env: Record<string, string> = {
    CLAUDE_CODE_ENABLE_TELEMETRY: '1',
    OTEL_METRICS_EXPORTER: telemetry.metrics ? 'otlp' : 'none',
    OTEL_LOGS_EXPORTER: telemetry.logs ? 'otlp' : 'none',
    OTEL_EXPORTER_OTLP_PROTOCOL: telemetry.protocol,
    OTEL_EXPORTER_OTLP_ENDPOINT: telemetry.endpoint,
    // Set over any the daemon inherited: Aegis's own tags are the last word on who the session is.
    OTEL_RESOURCE_ATTRIBUTES: keyValueList({
      ...telemetry.resourceAttributes,
      'aegis.session_id': tags.sessionId,
      'aegis.key_name': tags.keyName,
      ...(tags.keyId ? { 'aegis.key_id': tags.keyId } : {}),
    }),
  };
  if (Object.keys(telemetry.headers).length > 0) env.OTEL_EXPORTER_OTLP_HEADERS = keyValueList(telemetry.headers);
  if (telemetry.exportIntervalMs !== undefined) env.OTEL_METRIC_EXPORT_INTERVAL = String(telemetry.exportIntervalMs);
  return env;
}
