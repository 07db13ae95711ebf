/**
 * A loopback listener that serves only Claude's hook calls, on a port that outlives the API's. Each
 * session's settings name its hook URL once, at launch, and Claude never reads them again, so when
 * the daemon comes back on another API port, its sessions' hooks still find it here. Requests go
 * through the same fastify routes (and checks) as on the API port.
 */
import { createServer, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';

export interface HookListener {
  port: number;
  close(): Promise<void>;
}

export async function listenForHooks(app: FastifyInstance, port: number): Promise<HookListener> {
  const server: Server = createServer((req, res) => {
    if (!(req.url ?? '').startsWith('/v1/hooks/')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'this port serves only Claude Code hook calls; the API is on the daemon\'s own port' } }));
      return;
    }
    app.routing(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
