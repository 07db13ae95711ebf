/**
 * What the broker's requests and decisions look like on the event stream: `permission_request` or
 * `question` when a request opens, `permission_resolved` when it is decided; each decision is logged.
 */
import type { Logger } from '../log.js';
import type { BrokerEvents } from './broker.js';
import { requestView } from './request-view.js';

export type PublishEvent = (type: 'permission_request' | 'question' | 'permission_resolved', sessionId: string, fields: Record<string, unknown>) => void;

export function requestEvents(publish: PublishEvent, logger: Logger): BrokerEvents {
  return {
    requested(request) {
      // The request's fields stand in the event itself (its id as permissionId or questionId);
      // a permission is also there whole, under `permission`.
      const { id, ...fields } = requestView(request);
      if (request.kind === 'question') publish('question', request.sessionId, { ...fields, questionId: id });
      else publish('permission_request', request.sessionId, { ...fields, permissionId: id, permission: requestView(request) });
    },
    resolved(request, decision) {
      publish('permission_resolved', request.sessionId, {
        permissionId: request.id,
        kind: request.kind,
        toolName: request.toolName,
        decision: decision.behavior,
        by: decision.by,
        ...(decision.rule ? { rule: decision.rule } : {}),
        ...(decision.keyId ? { keyId: decision.keyId } : {}),
        ...(decision.message ? { message: decision.message } : {}),
        ...(decision.answers ? { answers: decision.answers } : {}),
      });
      logger.info(
        { sessionId: request.sessionId, permissionId: request.id, tool: request.toolName, decision: decision.behavior, by: decision.by, rule: decision.rule },
        'permission decided',
      );
    },
  };
}
