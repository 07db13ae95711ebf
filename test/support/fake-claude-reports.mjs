/**
 * What the fake Claude (fake-claude.mjs) tells the world, where Claude Code 2.1.330 would: its HTTP
 * hooks, called as the settings file given with `--settings` names them (read once, at start, as
 * Claude does: the daemon removes the file, which holds the hook secret, once Claude is up); its transcript, at
 * `$CLAUDE_CONFIG_DIR/projects/<cwd, non-alphanumerics as '-'>/<session id>.jsonl`; and, for tests,
 * its own log of everything it did, one JSON object a line, at `<cwd>/.fake-claude/<session id>.jsonl`.
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

export function reporter({ sessionId, settingsFile, permissionMode, cwd }) {
  const logDir = join(cwd, '.fake-claude');
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `${sessionId}.jsonl`);
  const log = (event, fields = {}) => appendFileSync(logFile, `${JSON.stringify({ at: Date.now(), event, ...fields })}\n`);

  const configDir = process.env.CLAUDE_CONFIG_DIR || join(process.env.HOME ?? '/root', '.claude');
  const transcriptDir = join(configDir, 'projects', cwd.replace(/[^A-Za-z0-9]/g, '-'));
  const transcriptPath = join(transcriptDir, `${sessionId}.jsonl`);

  const settings = settingsFile ? JSON.parse(readFileSync(settingsFile, 'utf8')) : null;
  /** The hook of one event as the settings name it: its URL and headers, `$VAR` taken from the environment. */
  function hookOf(event) {
    if (!settings) return null;
    const hook = settings.hooks?.[event]?.[0]?.hooks?.[0];
    if (!hook?.url) return null;
    const headers = Object.fromEntries(
      Object.entries(hook.headers ?? {}).map(([k, v]) => [k, String(v).replace(/\$([A-Z_][A-Z0-9_]*)/g, (_, name) => process.env[name] ?? '')]),
    );
    return { url: hook.url, headers };
  }

  async function callHook(event, fields) {
    const hook = hookOf(event);
    if (!hook) return;
    const body = { session_id: sessionId, transcript_path: transcriptPath, cwd, permission_mode: permissionMode, hook_event_name: event, ...fields };
    try {
      const res = await fetch(hook.url, { method: 'POST', headers: { 'content-type': 'application/json', ...hook.headers }, body: JSON.stringify(body) });
      log('hook', { name: event, status: res.status });
      await res.arrayBuffer();
    } catch (err) {
      log('hook', { name: event, error: String(err) });
    }
  }

  let parentUuid = null;
  function record(type, message) {
    mkdirSync(transcriptDir, { recursive: true });
    const uuid = randomUUID();
    const entry = { parentUuid, isSidechain: false, type, message, uuid, timestamp: new Date().toISOString(), sessionId, cwd };
    parentUuid = uuid;
    appendFileSync(transcriptPath, `${JSON.stringify(entry)}\n`);
  }

  return { log, callHook, record };
}
