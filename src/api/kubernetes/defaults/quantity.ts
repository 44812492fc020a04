/** Exact parsing of Kubernetes resource quantities ("100m", "1.5Gi", "1e3") for comparison and sums. */

const binarySuffixes: Record<string, bigint> = {
  Ki: 1n << 10n, Mi: 1n << 20n, Gi: 1n << 30n, Ti: 1n << 40n, Pi: 1n << 50n, Ei: 1n << 60n,
};
const decimalExponents: Record<string, number> = {
  n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18,
};

/** Nano-units (value × 10⁹), exact; fractions below a nano-unit round up. */
export type NanoQuantity = bigint;

function pow10(exponent: number): bigint {
  return 10n ** BigInt(exponent);
}

/** The quantity in nano-units, or undefined when the text is not a quantity. */
export function parseQuantity(value: unknown): NanoQuantity | undefined {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== 'string') return undefined;
  const match = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([eE][+-]?\d+)|(n|u|m|k|M|G|T|P|E)?)$/.exec(text);
  if (!match) return undefined;
  const [, sign, number, binary, exponentText, decimal] = match;
  const [whole, fraction = ''] = number!.split('.');
  const digits = BigInt(`${whole || '0'}${fraction}`);
  // value = digits × 10^(-fraction.length) × multiplier; scaled by 10^9 into nano-units.
  let numerator = digits * pow10(9);
  let denominator = pow10(fraction.length);
  if (binary) numerator *= binarySuffixes[binary]!;
  else {
    const exponent = exponentText ? Number(exponentText.slice(1)) : decimalExponents[decimal ?? '']!;
    if (exponent >= 0) numerator *= pow10(exponent);
    else denominator *= pow10(-exponent);
  }
  let nanos = numerator / denominator;
  if (nanos * denominator !== numerator) nanos += 1n;
  return sign === '-' ? -nanos : nanos;
}
