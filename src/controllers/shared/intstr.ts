/** int-or-percent values (intstr.IntOrString) scaled against a total, as Kubernetes' GetScaledValueFromIntOrPercent. */
import type { IntOrString } from '../../api/cluster/types.js';

/**
 * The value of `v` for `total`: an integer as is; "N%" as N percent of total, rounded up or down. Throws naming
 * `field` when the value is neither (e.g. "5" without "%", "abc", "1.5%").
 */
export function scaledValue(v: IntOrString, total: number, roundUp: boolean, field: string): number {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`${field}: invalid value ${v}: must be an integer or a percentage`);
    return v;
  }
  const m = /^(-?[0-9]+)%$/.exec(v);
  if (!m) throw new Error(`${field}: invalid value ${JSON.stringify(v)}: must be an integer or a percentage such as "25%"`);
  const pct = Number(m[1]);
  const exact = (pct * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** Go's math.Round: halves round away from zero. */
export function roundHalfAwayFromZero(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}
