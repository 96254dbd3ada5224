/**
 * Reconnect delays: capped exponential backoff with full jitter (a random delay between zero and
 * the capped exponential), so that five sockets that drop together do not come back together and
 * a broker outage is not met with a reconnect storm.
 */
export interface BackoffPolicy {
  /** First retry's ceiling. */
  initialMs: number;
  /** Ceiling of any retry. */
  maxMs: number;
  factor: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 30_000, factor: 2 };

/** The delay before retry number `attempt` (0-based), given a uniform random number in [0, 1). */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: number): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.min(attempt, 30));
  return Math.floor(random * ceiling);
}
