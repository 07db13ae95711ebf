/**
 * `aegis keys create|list|revoke|rotate`: API keys, through /v1/auth/keys (scope keys:admin). A new
 * or rotated secret is printed once, on stdout alone, so `aegis keys create bot > file` captures it.
 */
import { Command, Option } from 'commander';
import type { AegisClient } from '../../client/client.js';
import { addClientOptions, clientFrom, type ClientFlags } from '../client-options.js';
import { UsageError } from '../exit-codes.js';
import { formatTable, printJson, printLine, printLines, printNote } from '../output.js';

const ROLES = ['admin', 'operator', 'viewer', 'approver'];

interface KeyView {
  id: string;
  name: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  useCount: number;
  graceUntil: string | null;
  key?: string;
}

interface CreateFlags extends ClientFlags {
  role?: string;
  scopes?: string;
  expiresInDays?: string;
  maxSessions?: string;
  workDir?: string[];
  permissionProfile?: string;
  budgetUsd?: string;
  maxCostUsd?: string;
  maxTokens?: string;
}

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('manage API keys (needs the keys:admin scope)');
  addClientOptions(
    keys
      .command('create')
      .description('create a key; its secret is printed once (POST /v1/auth/keys)')
      .argument('<name>', 'what the key is for, e.g. ci-bot')
      .addOption(new Option('--role <role>', 'a bundle of scopes').choices(ROLES))
      .option('--scopes <list>', 'comma-separated scopes instead of a role, e.g. sessions:read,permissions:write')
      .option('--expires-in-days <n>', 'the key stops working after this many days')
      .option('--max-sessions <n>', 'sessions of this key that may run at once')
      .option('--work-dir <dir...>', "roots this key's sessions must start under; for a viewer or approver, the sessions it oversees (repeatable)")
      .option('--permission-profile <name>', "a configured permission profile forced on this key's sessions")
      .option('--budget-usd <usd>', 'what the key may spend per UTC day; past it, new sessions and sends get 429 until the next day')
      .option('--max-cost-usd <usd>', "the cost budget of each of this key's sessions (a create may ask for less)")
      .option('--max-tokens <n>', "the token budget of each of this key's sessions (a create may ask for less)"),
  ).action(create);
  addClientOptions(keys.command('list').alias('ls').description('list keys, never their secrets (GET /v1/auth/keys)')).action(list);
  addClientOptions(keys.command('revoke').description('revoke a key at once (DELETE /v1/auth/keys/:id)').argument('<id>', 'key id (key_…)')).action(revoke);
  addClientOptions(
    keys
      .command('rotate')
      .description('give a key a new secret, printed once; the old one works until the grace time ends (POST /v1/auth/keys/:id/rotate)')
      .argument('<id>', 'key id (key_…)')
      .option('--grace-seconds <n>', 'how long the old secret keeps working (default 3600; 0 ends it now)'),
  ).action(rotate);
}

function number(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(value)) throw new UsageError(`${flag} ${value} is not a number`);
  return Number(value);
}

async function create(name: string, flags: CreateFlags): Promise<void> {
  if ((flags.role === undefined) === (flags.scopes === undefined)) throw new UsageError('give exactly one of --role and --scopes');
  const body = {
    name,
    ...(flags.role ? { role: flags.role } : {}),
    ...(flags.scopes ? { scopes: flags.scopes.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
    ...(flags.expiresInDays !== undefined ? { expiresInDays: number('--expires-in-days', flags.expiresInDays) } : {}),
    ...(flags.maxSessions !== undefined ? { maxSessions: number('--max-sessions', flags.maxSessions) } : {}),
    ...(flags.workDir ? { allowedWorkdirs: flags.workDir } : {}),
    ...(flags.permissionProfile ? { permissionProfile: flags.permissionProfile } : {}),
    ...(flags.budgetUsd !== undefined ? { budgetUsd: number('--budget-usd', flags.budgetUsd) } : {}),
    ...(flags.maxCostUsd !== undefined ? { maxCostUsd: number('--max-cost-usd', flags.maxCostUsd) } : {}),
    ...(flags.maxTokens !== undefined ? { maxTokens: number('--max-tokens', flags.maxTokens) } : {}),
  };
  const made = await clientFrom(flags).request<KeyView>('POST', '/v1/auth/keys', { body });
  showSecret(made, flags, `created ${made.id} (${made.name}): ${made.scopes.join(', ')}`);
}

async function list(flags: ClientFlags): Promise<void> {
  const { keys } = await clientFrom(flags).request<{ keys: KeyView[] }>('GET', '/v1/auth/keys');
  if (flags.json) return printJson({ keys });
  if (keys.length === 0) return printLine('no keys');
  const state = (k: KeyView) => (k.revokedAt ? 'revoked' : k.expiresAt && Date.parse(k.expiresAt) <= Date.now() ? 'expired' : 'active');
  printLines(
    formatTable(
      ['ID', 'NAME', 'STATE', 'SCOPES', 'LAST USED', 'USES', 'EXPIRES'],
      keys.map((k) => [k.id, k.name, state(k), k.scopes.join(','), k.lastUsedAt ?? 'never', String(k.useCount), k.expiresAt ?? 'never']),
    ),
  );
}

async function revoke(id: string, flags: ClientFlags): Promise<void> {
  const revoked = await keyRequest(clientFrom(flags), 'DELETE', id);
  if (flags.json) printJson(revoked);
  else printLine(`revoked ${revoked.id} (${revoked.name})`);
}

async function rotate(id: string, flags: ClientFlags & { graceSeconds?: string }): Promise<void> {
  const graceSeconds = number('--grace-seconds', flags.graceSeconds);
  const rotated = await keyRequest(clientFrom(flags), 'POST', id, '/rotate', graceSeconds === undefined ? {} : { graceSeconds });
  showSecret(rotated, flags, `rotated ${rotated.id} (${rotated.name}); the old secret works ${rotated.graceUntil ? `until ${rotated.graceUntil}` : 'no more'}`);
}

function keyRequest(client: AegisClient, method: string, id: string, suffix = '', body?: unknown): Promise<KeyView> {
  return client.request<KeyView>(method, `/v1/auth/keys/${encodeURIComponent(id)}${suffix}`, body === undefined ? {} : { body });
}

/** The secret on stdout alone; what it is, on stderr, so a redirect captures only the secret. */
function showSecret(view: KeyView, flags: ClientFlags, note: string): void {
  if (flags.json) return printJson(view);
  printNote(note);
  printNote('the key is shown this once; store it now:');
  printLine(view.key ?? '');
}
