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

/** How upstream prints a quantity: the notation of the operand it was parsed from. */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  nanos: NanoQuantity;
  format: QuantityFormat;
}

/** The quantity with its notation, or undefined when the text is not a quantity. */
export function parseQuantityWithFormat(value: unknown): Quantity | undefined {
  const nanos = parseQuantity(value);
  if (nanos === undefined) return undefined;
  const text = String(value);
  const format: QuantityFormat = /[KMGTPE]i$/.test(text) ? 'BinarySI' : /\d[eE][+-]?\d+$/.test(text) ? 'DecimalExponent' : 'DecimalSI';
  return { nanos, format };
}

const decimalSuffixes: Record<number, string> = { [-9]: 'n', [-6]: 'u', [-3]: 'm', 0: '', 3: 'k', 6: 'M', 9: 'G', 12: 'T', 15: 'P', 18: 'E' };
const binaryNames = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/** Upstream's canonical text for a quantity: the largest suffix that keeps the number whole. */
export function formatQuantity({ nanos, format }: Quantity): string {
  if (nanos === 0n) return '0';
  const sign = nanos < 0n ? '-' : '';
  const magnitude = nanos < 0n ? -nanos : nanos;
  const whole = magnitude % 1_000_000_000n === 0n ? magnitude / 1_000_000_000n : undefined;
  if (format === 'BinarySI' && whole !== undefined && whole >= 1024n) {
    let mantissa = whole;
    let power = 0;
    while (power < binaryNames.length - 1 && mantissa % 1024n === 0n) {
      mantissa /= 1024n;
      power += 1;
    }
    return `${sign}${mantissa}${binaryNames[power]}`;
  }
  // Decimal: strip factors of 1000 from the nano-unit value, up to the exa suffix.
  let mantissa = magnitude;
  let exponent = -9;
  while (exponent < 18 && mantissa % 1000n === 0n) {
    mantissa /= 1000n;
    exponent += 3;
  }
  if (format === 'DecimalExponent') return `${sign}${mantissa}${exponent === 0 ? '' : `e${exponent}`}`;
  return `${sign}${mantissa}${decimalSuffixes[exponent]}`;
}
