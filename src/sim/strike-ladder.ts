/**
 * Strike ladders as exchanges list them: evenly spaced at the near step around the money, then at a
 * wider far step, aligned to multiples of that step. Strikes never reach zero; when the low side runs
 * out (cheap stocks such as IDEA) the near band is extended upwards so a chain keeps its width.
 * All values are integer paise.
 */

export interface LadderSpec {
  /** Centre of the ladder (underlying price), paise. */
  centre: number;
  nearStep: number;
  farStep: number;
  /** Near strikes on each side of the at-the-money strike. */
  nearEach: number;
  /** Far strikes on each side beyond the near band. */
  farEach: number;
}

/** The ascending strikes (paise) of a ladder: 2 * nearEach + 1 near strikes plus up to 2 * farEach far ones. */
export function strikeLadder({ centre, nearStep, farStep, nearEach, farEach }: LadderSpec): number[] {
  const atm = Math.max(nearStep, Math.round(centre / nearStep) * nearStep);
  const below = Math.min(nearEach, Math.ceil(atm / nearStep) - 1);
  const above = nearEach + (nearEach - below);
  const strikes: number[] = [];
  const bottom = atm - below * nearStep;
  const top = atm + above * nearStep;
  const farLow: number[] = [];
  for (let s = (Math.ceil(bottom / farStep) - 1) * farStep; s > 0 && farLow.length < farEach; s -= farStep) farLow.push(s);
  for (let i = farLow.length - 1; i >= 0; i -= 1) strikes.push(farLow[i] as number);
  for (let s = bottom; s <= top; s += nearStep) strikes.push(s);
  const farHigh = (Math.floor(top / farStep) + 1) * farStep;
  for (let i = 0; i < farEach; i += 1) strikes.push(farHigh + i * farStep);
  return strikes;
}
