import { describe, expect, it } from 'vitest';
import { apiErrorFrom, networkReason } from './errors.js';

describe('apiErrorFrom', () => {
  it('reads the error envelope', () => {
    const err = apiErrorFrom(404, 'Not Found', JSON.stringify({ error: { code: 'SESSION_NOT_FOUND', message: 'no session x', details: { id: 'x' } } }));
    expect(err).toMatchObject({ status: 404, code: 'SESSION_NOT_FOUND', message: 'no session x', details: { id: 'x' } });
  });

  it('names the status when something other than the envelope answers', () => {
    const err = apiErrorFrom(502, 'Bad Gateway', '<html>proxy error</html>');
    expect(err).toMatchObject({ status: 502, code: 'HTTP_502', message: 'the server answered 502 Bad Gateway: <html>proxy error</html>' });
  });
});

describe('networkReason', () => {
  it('prefers the system error code fetch wraps', () => {
    expect(networkReason(new TypeError('fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) }))).toBe('ECONNREFUSED');
    expect(networkReason(new Error('plain'))).toBe('plain');
  });
});
