/**
 * The environment that turns on Claude Code's OpenTelemetry export: pointed at the configured
 * collector, tagged with the session and its key, set over what the daemon or the request brought.
 */
import { describe, expect, it } from 'vitest';
import { claudeTelemetrySchema } from '../config/claude-telemetry-schema.js';
import { claudeEnv } from './launch.js';
import { telemetryEnv } from './telemetry.js';

const SESSION = '2b0c7c9e-1f0a-4d0e-9d7a-3c3f3b0f9a11';

describe('Claude telemetry', () => {
  it('exports metrics and events to the collector, tagged with the session id and key name', () => {
    const telemetry = claudeTelemetrySchema.parse({
      endpoint: 'https://otel.example:4318',
      protocol: 'http/protobuf',
      headers: { Authorization: 'Bearer s3cret, with=odd chars' },
      exportIntervalMs: 10_000,
      resourceAttributes: { 'deployment.environment': 'prod' },
    });
    expect(telemetryEnv(telemetry, { sessionId: SESSION, keyName: 'ci bot, nightly', keyId: 'key_abc' })).toEqual({
      CLAUDE_CODE_ENABLE_TELEMETRY: '1',
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_LOGS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel.example:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer%20s3cret%2C%20with%3Dodd%20chars',
      OTEL_METRIC_EXPORT_INTERVAL: '10000',
      OTEL_RESOURCE_ATTRIBUTES: `deployment.environment=prod,aegis.session_id=${SESSION},aegis.key_name=ci%20bot%2C%20nightly,aegis.key_id=key_abc`,
    });
  });

  it('turns off what is not wanted, and names a session started without a key by its kind', () => {
    const telemetry = claudeTelemetrySchema.parse({ endpoint: 'http://127.0.0.1:4317', logs: false });
    const env = telemetryEnv(telemetry, { sessionId: SESSION, keyName: 'master', keyId: null });
    expect(env).toMatchObject({ OTEL_LOGS_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
    expect(env.OTEL_RESOURCE_ATTRIBUTES).toBe(`aegis.session_id=${SESSION},aegis.key_name=master`);
    expect(env).not.toHaveProperty('OTEL_EXPORTER_OTLP_HEADERS');
    expect(env).not.toHaveProperty('OTEL_METRIC_EXPORT_INTERVAL');
  });

  it('is set over the daemon\'s own OTEL_* variables and a request\'s', () => {
    const telemetry = claudeTelemetrySchema.parse({ endpoint: 'http://collector:4317' });
    const daemon = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://elsewhere:4317', OTEL_RESOURCE_ATTRIBUTES: 'aegis.session_id=forged', PATH: '/usr/bin' };
    const env = claudeEnv(daemon, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://attacker:4317' }, ['OTEL_*'], { sandbox: false, telemetry: telemetryEnv(telemetry, { sessionId: SESSION, keyName: 'k', keyId: null }) });
    expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://collector:4317');
    expect(env.OTEL_RESOURCE_ATTRIBUTES).toBe(`aegis.session_id=${SESSION},aegis.key_name=k`);
    expect(env.CLAUDE_CODE_ENABLE_TELEMETRY).toBe('1');
    expect(env.PATH).toBe('/usr/bin');
  });

  it('adds nothing when not configured', () => {
    const env = claudeEnv({ PATH: '/usr/bin' }, {}, [], { sandbox: false });
    expect(Object.keys(env).filter((name) => name.startsWith('OTEL_') || name === 'CLAUDE_CODE_ENABLE_TELEMETRY')).toEqual([]);
  });
});
