/** Request validation with zod: a failure becomes INVALID_REQUEST naming every field path. */
import type { z } from 'zod';
import { AegisError } from '../errors.js';

export function parseInput<S extends z.ZodType>(schema: S, data: unknown, where: 'body' | 'query' | 'headers' = 'body'): z.infer<S> {
  const result = schema.safeParse(data ?? (where === 'body' ? undefined : {}));
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.length ? issue.path.map(String).join('.') : issue.code === 'unrecognized_keys' ? (issue as { keys?: string[] }).keys?.join(',') ?? where : where,
    message: issue.message,
  }));
  const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  throw new AegisError('INVALID_REQUEST', `invalid ${where}: ${summary}`, { issues });
}
