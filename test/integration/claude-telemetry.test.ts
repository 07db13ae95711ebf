/**
 * With claudeTelemetry configured, Claude starts with its OpenTelemetry export on, pointed at the
 * collector and tagged with the Aegis session id and the name of the key that created it; the
 * collector's headers reach Claude's environment and nowhere the daemon shows or logs.
 */
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { panePid } from '../support/hooks.js';
import { standInClaude } from '../support/stand-in.js';
import { waitFor } from '../support/wait-for.js';

const MASTER = 'claude-telemetry-master-token-0123456789';
const COLLECTOR_SECRET = 'collector-secret-5f1d2c';

describe("Claude's own telemetry", () => {
  let t: TestDaemon;
  let logText = '';
  const captured = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logText += chunk.toString();
      done();
    },
  });
  beforeAll(async () => {
    t = await startTestDaemon({
      config: {
        authToken: MASTER,
        claudeCommand: standInClaude(),
        claudeTelemetry: { endpoint: 'http://127.0.0.1:4317', protocol: 'grpc', headers: { Authorization: `Bearer ${COLLECTOR_SECRET}` }, metrics: true, logs: false, resourceAttributes: {} },
      },
      logger: createLogger('trace', captured),
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('starts each session exporting to the collector, tagged with the session and its key', async () => {
    const made = await t.api('POST', '/v1/auth/keys', { name: 'ci-bot', role: 'operator' }, { authorization: `Bearer ${MASTER}` });
    const created = await t.api('POST', '/v1/sessions', { workDir: t.workDir() }, { authorization: `Bearer ${made.body.key}` });
    expect(created.status).toBe(201);
    const { id, tmux } = created.body as { id: string; tmux: { paneId: string } };
    await waitFor(async () => (await t.api('GET', `/v1/sessions/${id}`, undefined, { authorization: `Bearer ${MASTER}` })).body.status === 'idle', { what: 'the stand-in to look idle' });
    const environ = readFileSync(`/proc/${panePid(t.config.tmuxSocket, tmux.paneId)}/environ`, 'utf8').split('\0');
    const otel = Object.fromEntries(environ.filter((v) => /^(OTEL_|CLAUDE_CODE_ENABLE_TELEMETRY=)/.test(v)).map((v) => [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)]));
    expect(otel).toEqual({
      CLAUDE_CODE_ENABLE_TELEMETRY: '1',
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_LOGS_EXPORTER: 'none',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4317',
      OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer%20${COLLECTOR_SECRET}`,
      OTEL_RESOURCE_ATTRIBUTES: `aegis.session_id=${id},aegis.key_name=ci-bot,aegis.key_id=${made.body.id}`,
    });

    const diagnostics = await t.api('GET', '/v1/diagnostics', undefined, { authorization: `Bearer ${MASTER}` });
    expect(JSON.stringify(diagnostics.body)).not.toContain(COLLECTOR_SECRET);
    expect(JSON.stringify(diagnostics.body)).toContain('"headers":{"Authorization":"[redacted]"}');
    expect(logText).not.toContain(COLLECTOR_SECRET);
    expect(logText).toContain(id);
  });
});
