/**
 * One line per event for `aegis watch`: time, type, short session id and the fields that matter for
 * that type, as docs/api.md lists them. Events whose shape is not known here (new types, new fields)
 * still print, as compact JSON. Printing makes the line safe for the terminal (output.ts).
 */
import type { AegisEvent } from '../client/types.js';
import { formatClock, oneLine, shortId } from './output.js';
import { toolInput } from './permission-format.js';

type Fields = Record<string, unknown>;

export function formatEvent(event: AegisEvent): string {
  return `${formatClock(event.at)} ${event.type.padEnd(19)} ${shortId(event.sessionId)} ${summary(event)}`.trimEnd();
}

function summary(event: AegisEvent): string {
  switch (event.type as string) {
    case 'session_created': {
      const session = record(event.session);
      return `${str(session.name)} in ${str(session.workDir)}`;
    }
    case 'status_changed':
      return `${str(event.from)} → ${str(event.to)}`;
    case 'message': {
      const tool = event.toolName ? ` ${str(event.toolName)}` : '';
      return `${str(event.role)} ${str(event.kind)}${tool}: ${oneLine(str(event.text), 100)}`;
    }
    case 'permission_request':
      return `${str(event.toolName)} ${toolInput(event.toolInput)} (from the ${str(event.source)}; id ${str(event.permissionId)})`;
    case 'question': {
      // Numbered as `aegis answer --option <n>` takes them.
      const options = Array.isArray(event.options) ? event.options.map((o, i) => `${i}. ${oneLine(str(record(o).label), 60)}`).join(' / ') : '';
      return `${oneLine(str(event.question), 100)}${options ? ` [${options}]` : ''} (id ${str(event.questionId)})`;
    }
    case 'permission_resolved':
      return `${str(event.toolName)} ${str(event.decision)} by ${str(event.by)}${event.rule ? ` (rule ${str(event.rule)})` : ''}${event.message ? `: ${oneLine(str(event.message), 100)}` : ''}`;
    case 'stalled':
      return `no progress for ${seconds(event.silentMs)} (threshold ${seconds(event.thresholdMs)}), ${str(event.action)}`;
    case 'session_exited':
      return `${str(event.reason)}${typeof event.exitCode === 'number' ? ` (exit code ${event.exitCode})` : ''}${event.hint ? `: ${oneLine(str(event.hint), 100)}` : ''}`;
    case 'session_reaped':
      return event.reason === 'idle_timeout'
        ? `idle_timeout: idle for ${seconds(event.idleMs)} (limit ${seconds(event.idleTimeoutMs)})`
        : `${str(event.reason)}${typeof event.thresholdMs === 'number' ? ` (threshold ${seconds(event.thresholdMs)})` : ''}`;
    case 'session_removed':
      return event.reason === 'purged' ? `purged: ended ${str(event.endedAt)}, kept ${str(event.retentionDays)} days` : str(event.reason);
    case 'turn_failed':
      return `${str(event.error)}: ${oneLine(str(event.message), 100)}${event.hint ? ` (${oneLine(str(event.hint), 200)})` : ''}`;
    case 'budget_warning':
    case 'budget_exceeded':
      return `used ${str(event.used)} of ${str(event.limit)}${event.scope ? ` (${[event.scope, event.kind].filter(Boolean).map(str).join(' ')})` : ''}${event.action ? `, ${str(event.action)}` : ''}`;
    default:
      return oneLine(JSON.stringify(rest(event)), 140);
  }
}

function rest(event: AegisEvent): Fields {
  const { id: _id, type: _type, sessionId: _sessionId, at: _at, ...fields } = event;
  return fields;
}

function record(value: unknown): Fields {
  return typeof value === 'object' && value !== null ? (value as Fields) : {};
}

function str(value: unknown): string {
  if (value === undefined || value === null) return '?';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function seconds(ms: unknown): string {
  return typeof ms === 'number' && Number.isFinite(ms) ? `${Math.round(ms / 1000)}s` : '?';
}
