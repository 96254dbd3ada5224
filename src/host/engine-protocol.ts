/**
 * Messages between the Electron main process and the engine's utility process (engine-host.ts):
 * the host's process protocol. Types, constants and shape checks only, no engine code: it is the
 * one module of src/host that src/main may import (the lint's allow-list says so).
 * They cross a MessagePort (structured clone), which is also why the Dhan credentials travel in
 * the `start` message: never in argv or the environment, where any process of the same user could
 * read them (`ps`, /proc/<pid>/environ).
 *
 * Shapes are checked on arrival (`isMainToEngine`, `isEngineToMain`): both ends are ours, but a
 * malformed message must be dropped with a log line, not crash either side. Command requests are
 * validated against the contract by the engine host itself at its edge, whatever main did first.
 */
import type { CommandName, Envelope } from '../shared/contract';
import type { ErrorCode } from '../shared/errors';
import type { StreamServerMessage } from '../shared/events';

/** The default port of the REST API v2 the engine offers to scripts while the app runs. */
export const DEFAULT_API_PORT = 8787;

/** What the engine needs to boot. */
export interface EngineStartConfig {
  /** The app's data folder (Electron's userData). */
  dataDir: string;
  /** Dhan credentials (decrypted by main), or null for the embedded simulator. */
  credentials: { clientId: string; token: string } | null;
  /** Port of the loopback REST API + event stream; 0 for any free port, null for none. */
  apiPort: number | null;
}

/** main -> engine. */
export type MainToEngine =
  | { type: 'start'; config: EngineStartConfig }
  | { type: 'call'; id: number; command: CommandName; request: unknown }
  /** A stream subscribe/unsubscribe from the window (validated again by the engine). */
  | { type: 'stream'; message: unknown }
  | { type: 'stop' };

/** engine -> main. */
export type EngineToMain =
  | { type: 'ready'; mode: 'simulator' | 'live'; apiPort: number | null }
  | { type: 'result'; id: number; envelope: Envelope<unknown> }
  /** An ack, an error or one coalesced batch for the window. */
  | { type: 'stream'; message: StreamServerMessage }
  /** A log line, already masked of every secret. */
  | { type: 'log'; level: 'info' | 'warn' | 'error'; line: string }
  /** The engine could not boot, or failed for good; the process exits after it. */
  | { type: 'fatal'; code: ErrorCode; message: string }
  /** The engine stopped after a `stop`; the process may exit. */
  | { type: 'stopped' };

const isObject = (m: unknown): m is Record<string, unknown> => typeof m === 'object' && m !== null && !Array.isArray(m);

/** A message main may send, by shape. */
export function isMainToEngine(m: unknown): m is MainToEngine {
  if (!isObject(m)) return false;
  switch (m.type) {
    case 'start':
      return isObject(m.config) && typeof m.config.dataDir === 'string' && (m.config.credentials === null || isObject(m.config.credentials));
    case 'call':
      return typeof m.id === 'number' && typeof m.command === 'string';
    case 'stream':
      return 'message' in m;
    case 'stop':
      return true;
    default:
      return false;
  }
}

/** A message the engine may send, by shape. */
export function isEngineToMain(m: unknown): m is EngineToMain {
  if (!isObject(m)) return false;
  switch (m.type) {
    case 'ready':
      return m.mode === 'simulator' || m.mode === 'live';
    case 'result':
      return typeof m.id === 'number' && isObject(m.envelope) && typeof m.envelope.ok === 'boolean';
    case 'stream':
      return isObject(m.message) && typeof m.message.type === 'string';
    case 'log':
      return typeof m.line === 'string';
    case 'fatal':
      return typeof m.message === 'string' && typeof m.code === 'string';
    case 'stopped':
      return true;
    default:
      return false;
  }
}
