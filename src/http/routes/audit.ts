/**
 * The audit routes: the log read a page at a time, exported whole (CSV or JSON Lines, streamed at the
 * reader's pace), and its hash chain verified; and the admin's online backup of the database, written
 * to the state dir's backups/ under a name the daemon makes.
 */
import { Readable } from 'node:stream';
import type { FastifyPluginAsync, RawServerDefault } from 'fastify';
import type { AuditRepository } from '../../audit/audit-repository.js';
import { exportAudit } from '../../audit/export.js';
import { auditExportQuerySchema, auditQuerySchema } from '../../audit/inputs.js';
import { verifyChain } from '../../audit/verify.js';
import { AegisError } from '../../errors.js';
import { auditExportSchema, auditPageSchema, auditVerdictSchema, backupSchema } from '../response-schemas.js';
import type { ZodTypeProvider } from '../zod-schemas.js';

export interface BackupAnswer {
  file: string;
  bytes: number;
  createdAt: string;
}

export interface AuditRoutesOptions {
  repository: AuditRepository;
  /** Takes a backup of the live database; absent when the app has no store (then the route answers 503). */
  backup?: () => Promise<BackupAnswer>;
}

export const auditRoutes: FastifyPluginAsync<AuditRoutesOptions, RawServerDefault, ZodTypeProvider> = async (app, { repository, backup }) => {
  app.get('/v1/audit', { schema: { querystring: auditQuerySchema, response: { 200: auditPageSchema } } }, async (request) => {
    const { start, end, actor, action, sessionId, limit, cursor } = request.query;
    // One more than asked says whether a next page exists without a count over the whole log.
    const page = repository.page({ start, end, actor, action, resource: sessionId, afterId: cursor === undefined ? 0 : Number(cursor), limit: limit + 1 });
    const entries = page.slice(0, limit);
    return { entries, nextCursor: page.length > limit ? String(entries[entries.length - 1]!.id) : null };
  });

  app.get('/v1/audit/export', { schema: { querystring: auditExportQuerySchema, response: { 200: auditExportSchema } } }, async (request, reply) => {
    const { format, start, end, actor, action, sessionId } = request.query;
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    reply
      .type(format === 'csv' ? 'text/csv; charset=utf-8; header=present' : 'application/x-ndjson; charset=utf-8')
      .header('content-disposition', `attachment; filename="aegis-audit-${stamp}.${format}"`);
    // One page waits in the stream at most: the next is read when the socket has taken the last.
    return reply.send(Readable.from(exportAudit(repository, format, { start, end, actor, action, resource: sessionId }), { highWaterMark: 1 }));
  });

  app.get('/v1/audit/verify', { schema: { response: { 200: auditVerdictSchema } } }, async () => verifyChain(repository, { yieldEvery: () => new Promise((resolve) => setImmediate(resolve)) }));

  app.post('/v1/admin/backup', { schema: { response: { 201: backupSchema } } }, async (_request, reply) => {
    if (!backup) throw new AegisError('STORE_UNAVAILABLE', 'this daemon has no database to back up');
    return reply.code(201).send(await backup());
  });
};
