import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './log.js';

describe('createLogger', () => {
  it('redacts credentials and tokens in query strings', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _encoding, done) => { lines.push(String(chunk)); done(); } });
    const logger = createLogger('info', sink);
    logger.info({ req: { method: 'GET', url: '/v1/events?token=sekrit-token&x=1', headers: { authorization: 'Bearer sekrit-master' } } }, 'request');
    logger.info({ authorization: 'Bearer sekrit-2', token: 'sekrit-3', env: { ANTHROPIC_API_KEY: 'sekrit-4' } }, 'other');
    const out = lines.join('');
    expect(out).not.toMatch(/sekrit/);
    expect(out).toContain('token=[redacted]');
  });
});
