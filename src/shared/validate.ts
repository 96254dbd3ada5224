/**
 * Validation at the contract's edges, in one place for every adapter: the HTTP routes
 * (src/server), IPC in the Electron main process (src/main), the engine process's port
 * (src/host) and in-process callers (`withValidation`). Each adapter validates a call once, here,
 * and hands the handler the parsed, typed request (trimmed strings, no unknown fields); handlers
 * do not validate again. A bad input is a BAD_REQUEST naming the first problem zod found.
 * Platform-free: zod and the contract only.
 */
import type { ZodError } from 'zod';
import { COMMAND_NAMES } from './commands';
import { requestSchemas, type Api, type CommandName, type CommandRequest } from './contract';
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

/**
 * The in-process adapter: `api` with every call's input validated with its command's schema
 * before the handler runs (a bad input rejects with BAD_REQUEST and the handler is not called).
 * For tests and in-process callers; the HTTP and IPC adapters call `validateRequest` themselves.
 */
export function withValidation(api: Api): Api {
  const entries = COMMAND_NAMES.map((name) => {
    // One closure per command; the indexed generic cannot be expressed for a name only known
    // while iterating, hence the cast of the handler.
    const handler = api[name] as (request: unknown) => Promise<unknown>;
    return [name, async (input: unknown) => handler.call(api, validateRequest(name, input))] as const;
  });
  return Object.fromEntries(entries) as unknown as Api;
}
