import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AegisError } from '../errors.js';
import { zodValidatorCompiler } from './zod-schemas.js';

const body = z.object({ workDir: z.string(), env: z.record(z.string(), z.string()).optional() }).strict();

function validate(schema: z.ZodType, httpPart: string, data: unknown) {
  const check = zodValidatorCompiler({ schema, httpPart, method: 'POST', url: '/v1/test' }) as (data: unknown) => { value?: unknown; error?: Error };
  return check(data);
}

describe('zodValidatorCompiler', () => {
  it('hands the route the parsed value', () => {
    const limit = z.object({ limit: z.coerce.number().default(200) });
    expect(validate(limit, 'querystring', { limit: '5' })).toEqual({ value: { limit: 5 } });
    expect(validate(limit, 'querystring', {})).toEqual({ value: { limit: 200 } });
  });

  it('fails with INVALID_REQUEST naming each field path, nested ones joined with dots', () => {
    const { error } = validate(body, 'body', { workDir: 1, env: { FOO: 2 } });
    expect(error).toBeInstanceOf(AegisError);
    expect(error).toMatchObject({ code: 'INVALID_REQUEST', status: 400, details: { issues: [{ path: 'workDir' }, { path: 'env.FOO' }] } });
    expect(error?.message).toMatch(/^invalid body: workDir: .*; env\.FOO: /);
  });

  it('names unknown keys, and the part itself when the part as a whole is wrong', () => {
    expect(validate(body, 'body', { workDir: '/', wrokDir: '/' }).error).toMatchObject({ details: { issues: [{ path: 'wrokDir' }] } });
    expect(validate(z.object({ status: z.string() }), 'querystring', 'x').error).toMatchObject({ message: expect.stringMatching(/^invalid query: query: /), details: { issues: [{ path: 'query' }] } });
    expect(validate(z.object({ id: z.string().min(1) }), 'params', { id: '' }).error).toMatchObject({ message: expect.stringMatching(/^invalid params: id: /) });
  });

  it('sees a missing body (which fastify passes as null) as undefined', () => {
    const { error } = validate(body, 'body', null);
    expect(error).toMatchObject({ details: { issues: [{ path: 'body', message: expect.stringContaining('received undefined') }] } });
    expect(validate(body.optional(), 'body', null)).toEqual({ value: undefined });
  });
});
