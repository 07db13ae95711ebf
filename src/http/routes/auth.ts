/**
 * The /v1/auth routes: API keys (create, list, revoke, rotate; a secret is in the answer that made it
 * and nowhere else) and SSE tokens, traded for the caller's own credentials to open one event stream
 * from a client that cannot send headers.
 */
import type { FastifyPluginAsync, RawServerDefault } from 'fastify';
import { createKeySchema, keyParamsSchema as params, rotateKeySchema } from '../../auth/key-inputs.js';
import type { KeyService } from '../../auth/keys.js';
import type { SseTokens } from '../../auth/sse-tokens.js';
import { keyListSchema, keySchema, keyWithSecretSchema, sseTokenSchema } from '../response-schemas.js';
import type { ZodTypeProvider } from '../zod-schemas.js';

export interface AuthRoutesOptions {
  keys: KeyService;
  sseTokens: SseTokens;
}

export const authRoutes: FastifyPluginAsync<AuthRoutesOptions, RawServerDefault, ZodTypeProvider> = async (app, { keys, sseTokens }) => {
  app.post('/v1/auth/keys', { schema: { body: createKeySchema, response: { 201: keyWithSecretSchema } } }, async (request, reply) => {
    const created = keys.create(request.body);
    request.log.info({ keyId: created.id, name: created.name, scopes: created.scopes }, 'created an API key');
    return reply.code(201).send(created);
  });

  app.get('/v1/auth/keys', { schema: { response: { 200: keyListSchema } } }, async () => ({ keys: keys.list() }));

  app.delete('/v1/auth/keys/:id', { schema: { params, response: { 200: keySchema } } }, async (request) => {
    const revoked = keys.revoke(request.params.id);
    request.log.info({ keyId: revoked.id }, 'revoked an API key');
    return revoked;
  });

  app.post('/v1/auth/keys/:id/rotate', { schema: { params, body: rotateKeySchema.optional(), response: { 200: keyWithSecretSchema } } }, async (request) => {
    const rotated = keys.rotate(request.params.id, request.body ?? {});
    request.log.info({ keyId: rotated.id, graceUntil: rotated.graceUntil }, 'rotated an API key');
    return rotated;
  });

  app.post('/v1/auth/sse-token', { schema: { response: { 200: sseTokenSchema } } }, async (request) => sseTokens.issue(request.identity));
};
