/**
 * Kubernetes resource quantities ("100m", "1.5", "2Gi", "129e6") as exact rationals, read out as
 * integers the way resource.Quantity's MilliValue() and Value() do (rounding up). BigInt inside,
 * so "0.1" + "0.2" never drifts.
 */

export interface Rational {
  readonly num: bigint;
  readonly den: bigint;
}

const BINARY: Record<string, bigint> = {
  Ki: 1n << 10n, Mi: 1n << 20n, Gi: 1n << 30n, Ti: 1n << 40n, Pi: 1n << 50n, Ei: 1n << 60n,
};
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(.*)$/;

export class QuantityError extends Error {
  constructor(readonly input: string) {
    super(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
  }
}

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** Parses a quantity into an exact rational; throws QuantityError on malformed input. */
export function parseQuantity(input: string | number): Rational {
  const s = typeof input === 'number' ? numberText(input) : input.trim();
  const m = QUANTITY.exec(s);
  if (!m) throw new QuantityError(String(input));
  const [, sign, digits, suffix] = m;
  const [whole, frac = ''] = digits.split('.');
  let num = BigInt((whole || '0') + frac);
  let den = pow10(frac.length);
  if (Object.prototype.hasOwnProperty.call(BINARY, suffix)) {
    num *= BINARY[suffix];
  } else if (Object.prototype.hasOwnProperty.call(DECIMAL, suffix)) {
    const e = DECIMAL[suffix];
    if (e >= 0) num *= pow10(e);
    else den *= pow10(-e);
  } else {
    const exp = /^[eE]([+-]?\d+)$/.exec(suffix);
    if (!exp) throw new QuantityError(String(input));
    const e = Number(exp[1]);
    if (Math.abs(e) > 100) throw new QuantityError(String(input));
    if (e >= 0) num *= pow10(e);
    else den *= pow10(-e);
  }
  if (sign === '-') num = -num;
  return { num, den };
}

function numberText(n: number): string {
  if (!Number.isFinite(n)) throw new QuantityError(String(n));
  // toString may give "1e+21"; our grammar accepts a signed exponent.
  return String(n);
}

function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b > 0n ? q + 1n : q;
}

/** Quantity.MilliValue(): thousandths, rounded up. */
export function milliValue(q: string | number): number {
  const r = parseQuantity(q);
  return Number(ceilDiv(r.num * 1000n, r.den));
}

/** Quantity.Value(): whole units, rounded up. */
export function wholeValue(q: string | number): number {
  const r = parseQuantity(q);
  return Number(ceilDiv(r.num, r.den));
}
