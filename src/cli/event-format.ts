/**
 * One line per event for `aegis watch`: time, type, short session id and the fields that matter for
 * that type. Events whose shape is not known here (new types, new fields) still print, as compact JSON.
 */
import type { AegisEvent } from '../client/types.js';
import { formatClock, oneLine, shortId } from './output.js';

type Fields = Record<string, unknown>;

export function formatEvent(event: AegisEvent): string {
  return `${formatClock(event.at)} ${event.type.padEnd(19)} ${shortId(event.sessionId)} ${summary(event)}`.trimEnd();
}

function summary(event: AegisEvent): string {
  switch (event.type) {
    case 'session_created': {
      const session = record(event.session);
      return `${str(session.name)} in ${str(session.workDir)}`;
    }
    case 'status_changed':
      return `${str(event.from)} → ${str(event.to)}`;
    case 'message': {
      const message = record(event.message);
      const tool = message.toolName ? ` ${str(message.toolName)}` : '';
      return `${str(message.role)} ${str(message.kind)}${tool}: ${oneLine(str(message.text), 100)}`;
    }
    case 'permission_request': {
      const permission = Object.keys(record(event.permission)).length > 0 ? record(event.permission) : (event as Fields);
      return `${str(permission.toolName)} ${oneLine(JSON.stringify(permission.toolInput ?? {}), 100)}`;
    }
    case 'permission_resolved':
      return `${str(event.decision)}${event.by ? ` by ${str(event.by)}` : ''}`;
    case 'session_exited':
    case 'session_reaped':
      return `${str(event.reason)}${typeof event.exitCode === 'number' ? ` (exit code ${event.exitCode})` : ''}`;
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
