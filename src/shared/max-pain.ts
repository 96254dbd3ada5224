/**
 * Max pain: the strike at which option buyers' open positions are worth least at expiry (writers
 * pay out least): for each candidate K, the calls below K pay K - K_i per contract and the puts
 * above K pay K_i - K. One pass with running sums, so a 101-strike chain costs 101 steps, not
 * 101^2. Shared: the engine's chain summary and the renderer's history charts mark the same strike.
 */

/** A count (OI, volume) as a usable number: NaN and negatives count as 0. */
const amount = (x: number): number => (x > 0 && x < Infinity ? x : 0);

/**
 * Index of the max-pain strike (see the header) over ascending `strikes`, or -1 when there is no
 * open interest.
 */
export function maxPainIndex(strikes: ArrayLike<number>, count: number, callOi: ArrayLike<number>, putOi: ArrayLike<number>): number {
  let putCount = 0;
  let putWeighted = 0;
  for (let i = 0; i < count; i += 1) {
    const p = amount(putOi[i]!);
    putCount += p;
    putWeighted += p * strikes[i]!;
  }
  let callCount = 0;
  let callWeighted = 0;
  let best = -1;
  let bestPain = Infinity;
  if (putCount === 0 && !anyPositive(callOi, count)) return -1;
  for (let j = 0; j < count; j += 1) {
    const k = strikes[j]!;
    // Calls below K_j pay K_j - K_i; puts above K_j pay K_i - K_j. Legs at K_j pay nothing.
    const p = amount(putOi[j]!);
    putCount -= p;
    putWeighted -= p * k;
    const pain = k * callCount - callWeighted + putWeighted - k * putCount;
    if (pain < bestPain) {
      bestPain = pain;
      best = j;
    }
    const c = amount(callOi[j]!);
    callCount += c;
    callWeighted += c * k;
  }
  return best;
}

function anyPositive(xs: ArrayLike<number>, count: number): boolean {
  for (let i = 0; i < count; i += 1) if (amount(xs[i]!) > 0) return true;
  return false;
}
