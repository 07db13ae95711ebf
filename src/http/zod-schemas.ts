/**
 * Zod schemas as fastify route schemas. A route declares `schema: { params, querystring, headers, body }`
 * with zod schemas; the validator compiler runs each one's safeParse and hands the route the parsed
 * value, and a failure becomes `400 INVALID_REQUEST` whose `details.issues` name every field path
 * (`workDir`, `env.FOO`, an unknown key's name, or the part itself when the part as a whole is wrong).
 * The type provider gives handlers the schemas' output types, so the schemas stay the one source of
 * the request types, and the route catalog can read them for documentation.
 */
import type { FastifySchemaCompiler, FastifySerializerCompiler, FastifyTypeProvider } from 'fastify';
import type { z } from 'zod';
import { AegisError } from '../errors.js';

export interface ZodTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends z.ZodType ? z.output<this['schema']> : unknown;
  serializer: this['schema'] extends z.ZodType ? z.input<this['schema']> : unknown;
}

/** How each request part is named in messages and in an issue about the part as a whole. */
const PART_NAMES: Record<string, string> = { body: 'body', querystring: 'query', params: 'params', headers: 'headers' };

export interface RequestIssue {
  path: string;
  message: string;
}

export function requestIssues(issues: readonly z.core.$ZodIssue[], part: string): RequestIssue[] {
  return issues.map((issue) => ({
    path: issue.path.length ? issue.path.map(String).join('.') : issue.code === 'unrecognized_keys' ? issue.keys.join(',') : part,
    message: issue.message,
  }));
}

export function invalidRequest(issues: readonly z.core.$ZodIssue[], part: string): AegisError {
  const named = requestIssues(issues, part);
  const summary = named.map((i) => `${i.path}: ${i.message}`).join('; ');
  return new AegisError('INVALID_REQUEST', `invalid ${part}: ${summary}`, { issues: named });
}

export const zodValidatorCompiler: FastifySchemaCompiler<z.ZodType> = ({ schema, httpPart }) => {
  const part = PART_NAMES[httpPart ?? 'body'] ?? 'body';
  return (data: unknown) => {
    // fastify hands a missing body over as null; the schemas see it as the absent value it is.
    const result = schema.safeParse(part === 'body' && data === null ? undefined : data);
    return result.success ? { value: result.data } : { error: invalidRequest(result.error.issues, part) };
  };
};

/**
 * Answers are serialised as they are: a zod schema given for a response documents it and is never
 * handed to fastify's JSON-schema serialiser, which cannot read one.
 */
export const plainJsonSerializerCompiler: FastifySerializerCompiler<unknown> = () => (data: unknown) => JSON.stringify(data);
