/**
 * The memory bridge's routes: store, read, list and delete entries of the caller's namespace and the
 * shared one. A daemon without the bridge answers every one with 404 MEMORY_DISABLED.
 */
import type { FastifyPluginAsync, RawServerDefault } from 'fastify';
import { AegisError } from '../../errors.js';
import type { MemoryBridge } from '../../memory/memory-bridge.js';
import { listMemoryQuerySchema, memoryKeyParamsSchema as params, putMemorySchema } from '../../memory/memory-inputs.js';
import { memoryDeletedSchema, memoryEntrySchema, memoryListSchema } from '../response-schemas.js';
import type { ZodTypeProvider } from '../zod-schemas.js';

export interface MemoryRoutesOptions {
  memory: MemoryBridge | undefined;
}

export const memoryRoutes: FastifyPluginAsync<MemoryRoutesOptions, RawServerDefault, ZodTypeProvider> = async (app, options) => {
  const bridge = (): MemoryBridge => {
    if (!options.memory) throw new AegisError('MEMORY_DISABLED', 'the memory bridge is off: memoryBridge.enabled is false in the configuration');
    return options.memory;
  };

  app.post('/v1/memory', { schema: { body: putMemorySchema, response: { 200: memoryEntrySchema, 201: memoryEntrySchema } } }, async (request, reply) => {
    const { entry, created } = bridge().put(request.identity, request.body);
    return reply.code(created ? 201 : 200).send(entry);
  });

  app.get('/v1/memory', { schema: { querystring: listMemoryQuerySchema, response: { 200: memoryListSchema } } }, async (request) => bridge().list(request.identity, request.query.prefix, request.query.limit));

  app.get('/v1/memory/:key', { schema: { params, response: { 200: memoryEntrySchema } } }, async (request) => bridge().get(request.identity, request.params.key));

  app.delete('/v1/memory/:key', { schema: { params, response: { 200: memoryDeletedSchema } } }, async (request) => bridge().delete(request.identity, request.params.key));
};
