/**
 * The dashboard's static files, as the build leaves them in `dist/dashboard/`: `GET /` is its
 * index.html (never cached: it names the bundle of the current build), `GET /assets/*` the bundle
 * (cached for a year when the name carries the build's content hash, so a new build is a new name).
 * The files hold no data, so they need no credentials; what the page shows comes from /v1 with the
 * page's cookie. Without a build, `/` says how to make one. The headers every answer carries,
 * Content-Security-Policy included, are security-headers.ts's.
 */
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sendError } from './errors.js';
import { assetSchema, htmlPageSchema } from './response-schemas.js';

export interface DashboardOptions {
  /** The build's directory (index.html and assets/). */
  dir: string;
}

/** Where `npm run build` puts the dashboard: dist/dashboard of the package (this file sits two levels below its root in src/ and dist/ alike). */
export const DEFAULT_DASHBOARD_DIR = fileURLToPath(new URL('../../dist/dashboard/', import.meta.url));

const YEAR_SECONDS = 365 * 24 * 3600;
/** esbuild's `[name]-[hash]` names: the hash is 8 characters of A-Z and 0-9. */
const HASHED_NAME = /-[A-Z0-9]{8}\.[a-z0-9]+$/;
/** An index.html larger than this is not the build's. */
const MAX_INDEX_BYTES = 1024 * 1024;

export const dashboardPlugin: FastifyPluginAsync<DashboardOptions> = async (app, { dir }) => {
  app.get('/', { schema: { response: { 200: htmlPageSchema } } }, async (request, reply) => {
    let page: Buffer;
    try {
      page = await readFile(join(dir, 'index.html'));
    } catch (err) {
      request.log.warn({ dir, err: (err as Error).message }, 'the dashboard is not built');
      return sendError(reply, 503, 'DASHBOARD_NOT_BUILT', `the dashboard is not built (no index.html in ${dir}): run npm run build`, { dir });
    }
    if (page.length > MAX_INDEX_BYTES) return sendError(reply, 503, 'DASHBOARD_NOT_BUILT', `${join(dir, 'index.html')} is not the dashboard's page: rebuild with npm run build`, { dir });
    return reply.type('text/html; charset=utf-8').send(page);
  });

  // The static plugin's file sending (ranges, ETags, content types, no path out of its root), on a route of ours.
  await app.register(fastifyStatic, {
    root: join(dir, 'assets'),
    serve: false,
    index: false,
    dotfiles: 'ignore',
    cacheControl: false,
    // Only for a file that is there: a 404 keeps the no-store every answer starts with.
    setHeaders: (fileReply, path) => {
      fileReply.header('cache-control', HASHED_NAME.test(path) ? `public, max-age=${YEAR_SECONDS}, immutable` : 'no-cache');
    },
  });
  app.get('/assets/*', { schema: { response: { 200: assetSchema } } }, async (request, reply) => reply.sendFile((request.params as { '*': string })['*']));
};
