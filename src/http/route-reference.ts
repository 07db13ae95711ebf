/**
 * Checks docs/api.md's route table (the `| route | scope |` table) against the OpenAPI description:
 * the doc must list exactly the routes the daemon serves, each with the scope it enforces, and every
 * route must declare what it answers (a response schema for its success). What is wrong comes back as
 * sentences, so a test names the stale row or the undescribed route.
 */
import type { OpenApiDocument } from './openapi.js';

/** `METHOD /path` → scope, as the doc's table lists them (`none` for a public route). */
export function routeTableOf(markdown: string): Map<string, string> {
  const lines = markdown.split('\n');
  const header = lines.findIndex((line) => /^\|\s*route\s*\|\s*scope\s*\|\s*$/.test(line));
  if (header < 0) throw new Error('the doc has no "| route | scope |" table');
  const table = new Map<string, string>();
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const [route = '', scope = ''] = line.split('|').slice(1, 3).map((cell) => cell.trim().replace(/`/g, ''));
    table.set(route, scope);
  }
  return table;
}

/** `METHOD /path` → scope, as the description says (paths written back in the fastify form of the doc). */
export function routesOf(document: OpenApiDocument): Map<string, string> {
  const routes = new Map<string, string>();
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const scope = operation['x-aegis-scope'];
      routes.set(`${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`, scope === 'public' ? 'none' : scope);
    }
  }
  return routes;
}

export function routeReferenceProblems(markdown: string, document: OpenApiDocument): string[] {
  const documented = routeTableOf(markdown);
  const served = routesOf(document);
  const problems: string[] = [];
  for (const [route, scope] of served) {
    if (!documented.has(route)) problems.push(`${route} is served but not in the route table`);
    else if (documented.get(route) !== scope) problems.push(`${route} needs ${scope} but the route table says ${documented.get(route)}`);
  }
  for (const route of documented.keys()) if (!served.has(route)) problems.push(`${route} is in the route table but not served`);
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const answers = Object.entries(operation.responses).filter(([code, response]) => /^2/.test(code) && response.content !== undefined);
      if (answers.length === 0) problems.push(`${method.toUpperCase()} ${path} declares no response schema for its success (schema.response, src/http/response-schemas.ts)`);
    }
  }
  return problems;
}
