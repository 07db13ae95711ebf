/**
 * The baseline of the HTTP benchmark: a bare fastify answering the same JSON the daemon answered, on
 * the same routes, and nothing else (no auth, no hooks, no schema). Run as a process of its own:
 *   node bench/bare-fastify.mjs <answers.json>
 * where the file maps a route (`/v1/sessions/:id`) to the body to send. It prints its URL once listening.
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const answers = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const app = Fastify({ logger: false });
for (const [route, body] of Object.entries(answers)) {
  // The object, serialised by fastify on every request as any handler's answer is.
  app.get(route, () => body);
}
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${url}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
