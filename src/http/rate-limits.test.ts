/** Request rate limits through the app: per key, per address for callers without one, loopback and health left alone. */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sse, status, stubSupervisor } from '../../test/support/app-stubs.js';
import { MemoryKeyRepository } from '../auth/key-repository.js';
import { KeyService } from '../auth/keys.js';
import { configSchema } from '../config/schema.js';
import { buildApp } from './app.js';

const MASTER = 'rate-limit-master-token-0123456789';

describe('rate limits', () => {
  const keys = new KeyService(new MemoryKeyRepository(), { daemonWorkdirs: [], permissionProfiles: [] });
  let app: Awaited<ReturnType<typeof buildApp>>;
  beforeAll(async () => {
    const config = configSchema.parse({ authToken: MASTER, rateLimitPerKey: 3, rateLimitPerIp: 2 });
    app = await buildApp({ config, supervisor: stubSupervisor(new Map()), sse, status, logger: pino({ level: 'silent' }, pino.destination({ dest: 1, sync: true })), keys });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    keys.close();
  });

  const get = (url: string, authorization: string, remoteAddress: string) => app.inject({ method: 'GET', url, headers: { authorization }, remoteAddress });

  it('limits each key on its own, whatever address it comes from, with Retry-After', async () => {
    const one = `Bearer ${keys.create({ name: 'one', role: 'viewer' }).key}`;
    const two = `Bearer ${keys.create({ name: 'two', role: 'viewer' }).key}`;
    for (let i = 0; i < 3; i++) expect((await get('/v1/sessions', one, `10.2.0.${i}`)).statusCode).toBe(200);
    const limited = await get('/v1/sessions/health', one, '127.0.0.1');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await get('/v1/sessions', two, '10.2.0.1')).statusCode).toBe(200);
  });

  it('limits an address without a key, never loopback or health checks', async () => {
    const master = `Bearer ${MASTER}`;
    for (let i = 0; i < 2; i++) expect((await get('/v1/sessions', master, '10.3.0.1')).statusCode).toBe(200);
    expect((await get('/v1/sessions', master, '10.3.0.1')).statusCode).toBe(429);
    expect((await get('/v1/health', master, '10.3.0.1')).statusCode).toBe(200);
    expect((await get('/v1/sessions', master, '10.3.0.2')).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) expect((await get('/v1/sessions', master, '127.0.0.1')).statusCode).toBe(200);
  });

  it('limits logins (they check the token they are given) but never health or readiness', async () => {
    const login = () => app.inject({ method: 'POST', url: '/v1/auth/login', payload: { token: MASTER }, remoteAddress: '10.4.0.1' });
    for (let i = 0; i < 2; i++) expect((await login()).statusCode).toBe(200);
    expect((await login()).statusCode).toBe(429);
    for (let i = 0; i < 5; i++) {
      expect((await app.inject({ method: 'GET', url: '/v1/health', remoteAddress: '10.4.0.1' })).statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/v1/ready', remoteAddress: '10.4.0.1' })).statusCode).not.toBe(429);
    }
  });
});

describe('rate limits off', () => {
  it('lets any number of requests through when both limits are 0', async () => {
    const keys = new KeyService(new MemoryKeyRepository(), { daemonWorkdirs: [], permissionProfiles: [] });
    const config = configSchema.parse({ authToken: MASTER, rateLimitPerKey: 0, rateLimitPerIp: 0 });
    const app = await buildApp({ config, supervisor: stubSupervisor(new Map()), sse, status, logger: pino({ level: 'silent' }, pino.destination({ dest: 1, sync: true })), keys });
    try {
      const one = `Bearer ${keys.create({ name: 'one', role: 'viewer' }).key}`;
      for (let i = 0; i < 50; i++) {
        expect((await app.inject({ method: 'GET', url: '/v1/sessions', headers: { authorization: one }, remoteAddress: '10.5.0.1' })).statusCode).toBe(200);
        expect((await app.inject({ method: 'GET', url: '/v1/sessions', headers: { authorization: `Bearer ${MASTER}` }, remoteAddress: '10.5.0.2' })).statusCode).toBe(200);
      }
    } finally {
      await app.close();
      keys.close();
    }
  });
});
