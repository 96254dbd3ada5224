/**
 * The listener half every transport shares: stream messages fanned out to listeners, and the
 * stream connection's state with its listeners (told the current state at once on subscribing).
 * Listeners are called over a copy, so one may dispose itself while being called.
 */
import type { StreamServerMessage } from '../../../shared/events';
import type { StreamState, Transport } from './transport';

export interface StreamHub extends Pick<Transport, 'onStream' | 'onStreamState'> {
  readonly state: StreamState;
  emit(message: StreamServerMessage): void;
  /** Change the state and tell the listeners (nothing when it is the same). */
  setState(next: StreamState): void;
  clear(): void;
}

export function createStreamHub(initial: StreamState): StreamHub {
  const listeners = new Set<(m: StreamServerMessage) => void>();
  const stateListeners = new Set<(s: StreamState) => void>();
  let state = initial;
  return {
    get state() {
      return state;
    },
    onStream(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onStreamState(listener) {
      stateListeners.add(listener);
      listener(state);
      return () => stateListeners.delete(listener);
    },
    emit(message) {
      for (const l of [...listeners]) l(message);
    },
    setState(next) {
      if (next === state) return;
      state = next;
      for (const l of [...stateListeners]) l(next);
    },
    clear() {
      listeners.clear();
      stateListeners.clear();
    },
  };
}
