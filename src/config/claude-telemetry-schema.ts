/**
 * The `claudeTelemetry` configuration: where Claude Code sends its own OpenTelemetry metrics and
 * events. Set, every session starts with Claude's telemetry on, exporting to this collector, tagged
 * with the Aegis session id and the name of the key that started it. The headers may carry the
 * collector's credentials: they are redacted wherever the configuration is shown.
 */
import { z } from 'zod';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]{1,100}$/;
const NO_CONTROLS = /^[^\x00-\x1f\x7f]*$/;

const collectorUrl = z
  .string()
  .max(2048)
  .refine((value) => {
    try {
      return ['http:', 'https:'].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// URL of an OpenTelemetry collector');

export const claudeTelemetrySchema = z
  .object({
    /** The collector's OTLP endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT`). */
    endpoint: collectorUrl,
    protocol: z.enum(['grpc', 'http/protobuf', 'http/json']).default('grpc'),
    /** Sent with every export (`OTEL_EXPORTER_OTLP_HEADERS`), e.g. `{"Authorization": "Bearer …"}`. */
    headers: z
      .record(z.string().regex(HEADER_NAME, 'must be an HTTP header name'), z.string().max(8192).regex(NO_CONTROLS, 'must not contain control characters'))
      .default({}),
    metrics: z.boolean().default(true),
    /** Claude's events (prompts sent, tool results, API requests), as OpenTelemetry logs. */
    logs: z.boolean().default(true),
    /** How often metrics are exported (`OTEL_METRIC_EXPORT_INTERVAL`); unset: Claude's default. */
    exportIntervalMs: z.number().int().min(1000).max(3_600_000).optional(),
    /** More resource attributes, e.g. `{"deployment.environment": "prod"}`. */
    resourceAttributes: z
      .record(z.string().regex(ATTRIBUTE_NAME, 'must be an attribute name (letters, digits, "_", "." or "-")'), z.string().max(1024).regex(NO_CONTROLS, 'must not contain control characters'))
      .default({}),
  })
  .strict();
export type ClaudeTelemetryConfig = z.output<typeof claudeTelemetrySchema>;
