/**
 * Bodies Claude Code POSTs to its HTTP hooks. Lenient on purpose: every field a hook might lack is
 * optional and unknown fields pass through, because new Claude releases add fields; a body that is
 * not an object at all is rejected by the HTTP layer without touching the session. Lenient in shape,
 * not in size: a body's bytes (4 MiB) and nesting (64 levels) are bounded before it is parsed, since
 * a call may come from anything that learned the secret (it sits in the session's settings file while
 * Claude starts, and in Claude's own memory) or from Claude itself, relaying what a session wrote.
 */
import { z } from 'zod';

export const hookPayloadSchema = z
  .object({
    session_id: z.string().optional(),
    transcript_path: z.string().optional(),
    cwd: z.string().optional(),
    permission_mode: z.string().optional(),
    hook_event_name: z.string().optional(),
    prompt: z.string().optional(),
    tool_name: z.string().optional(),
    tool_input: z.unknown().optional(),
    tool_use_id: z.string().optional(),
    message: z.string().optional(),
    notification_type: z.string().optional(),
    last_assistant_message: z.string().optional(),
    /** StopFailure: the kind of API error the turn ended in (authentication_failed, rate_limit, server_error, …). */
    error: z.string().optional(),
  })
  .passthrough();

export type HookPayload = z.infer<typeof hookPayloadSchema>;
