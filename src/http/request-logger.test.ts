import { Writable } from 'node:stream';
import Fastify, { LogController } from 'fastify';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { lazyRequestLogger } from './request-logger.js';

function capturedLogger(level: string) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = pino({ level }, stream);
  let children = 0;
  const child = logger.child.bind(logger);
  logger.child = ((...args: Parameters<typeof child>) => {
    children++;
    return child(...args);
  }) as typeof logger.child;
  return {
    logger,
    lines,
    children: () => children,
    resetChildren: () => {
      children = 0;
    },
  };
}

describe('the request logger', () => {
  it('makes no child for a request that logs nothing the daemon writes, and binds the request id when one does', async () => {
    const { logger, lines, children, resetChildren } = capturedLogger('info');
    // As the daemon's app: requests are not logged by fastify itself.
    const app = Fastify({ loggerInstance: logger, logController: new LogController({ disableRequestLogging: true }), childLoggerFactory: lazyRequestLogger });
    app.get('/quiet', async (request) => {
      request.log.debug({ detail: 1 }, 'not written at info');
      return { ok: true };
    });
    app.get('/loud', async (request) => {
      expect(request.log.level).toBe('info');
      request.log.warn({ detail: 2 }, 'written');
      request.log.info('again');
      return { ok: true };
    });
    await app.ready();
    resetChildren();
    await app.inject({ method: 'GET', url: '/quiet' });
    expect(children()).toBe(0);
    await app.inject({ method: 'GET', url: '/loud' });
    expect(children()).toBe(1);
    const written = lines.filter((l) => l.msg === 'written' || l.msg === 'again');
    expect(written).toHaveLength(2);
    expect(written[0]).toMatchObject({ level: 40, detail: 2, reqId: expect.any(String) });
    expect(written[1]!.reqId).toBe(written[0]!.reqId);
    expect(lines.some((l) => l.msg === 'not written at info')).toBe(false);
    await app.close();
  });
});
