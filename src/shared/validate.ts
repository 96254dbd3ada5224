/**
 * Validation at the contract's edges, in one place for every adapter: the HTTP routes
 * (src/server), IPC in the Electron main process (src/main) and in-process callers. Each adapter
 * validates a call once, here, and hands the handler a typed request; a bad input is a
 * BAD_REQUEST naming the first problem zod found. Platform-free: zod and the contract only.
 */
import type { ZodError } from 'zod';
import { requestSchemas, type CommandName, type CommandRequest } from './contract';
import { AppError } from './errors';
import { streamClientMessageSchema, type StreamClientMessage, type StreamErrorMessage } from './events';

/** The first problem zod found, as `field.path: message` (`whole` names the input when the path is empty). */
export function firstIssue(error: Pick<ZodError, 'issues'>, whole: string): string {
  const issue = error.issues[0]!;
  return `${issue.path.length ? issue.path.map(String).join('.') : whole}: ${issue.message}`;
}

/** Validate a request against its command's schema; BAD_REQUEST names the first problem. */
export function validateRequest<K extends CommandName>(name: K, input: unknown): CommandRequest<K> {
  const parsed = requestSchemas[name].safeParse(input ?? {});
  if (!parsed.success) throw new AppError('BAD_REQUEST', firstIssue(parsed.error, 'request'));
  // The schema's output is CommandRequest<K>; TypeScript cannot see through the indexed generic.
  return parsed.data as CommandRequest<K>;
}

/** Validate a stream client message: the message, or the error to answer (the stream stays open). */
export function parseStreamMessage(raw: unknown): { ok: true; message: StreamClientMessage } | { ok: false; error: StreamErrorMessage } {
  const id = typeof raw === 'object' && raw !== null && 'id' in raw && typeof raw.id === 'string' ? raw.id : undefined;
  const parsed = streamClientMessageSchema.safeParse(raw);
  if (parsed.success) return { ok: true, message: parsed.data };
  return { ok: false, error: { type: 'error', error: { code: 'BAD_REQUEST', message: firstIssue(parsed.error, 'message') }, ...(id !== undefined ? { id } : {}) } };
}
