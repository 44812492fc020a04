/**
 * resource.Quantity.String() for printer cells: the canonical form kube prints ("1Gi", "500m", "2k", "1536Mi").
 *
 * A quantity keeps the format of its suffix (binary Ki..Ei, decimal n..E, or an e-exponent). Printing
 * strips trailing zeros and picks the largest unit that keeps an integer mantissa: powers of 1024 for
 * binary quantities (which fall back to decimal below 1024 or when fractional), powers of 1000 otherwise.
 * Values finer than 1n round up to it, as parsing does.
 */

type QuantityFormat = 'BinarySI' | 'DecimalSI' | 'DecimalExponent';

interface ParsedQuantity {
  /** value = mantissa × 10^exponent */
  mantissa: bigint;
  exponent: number;
  format: QuantityFormat;
}

const QUANTITY = /^([+-]?)(\d*)(?:\.(\d*))?(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;
const BINARY_POWERS: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL_EXPONENTS: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const DECIMAL_SUFFIXES = new Map(Object.entries(DECIMAL_EXPONENTS).map(([k, v]) => [v, k]));
const BINARY_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

function parseQuantity(text: string): ParsedQuantity | undefined {
  const m = QUANTITY.exec(text.trim());
  if (!m) return undefined;
  const [, sign, whole = '', fraction = '', suffix = ''] = m;
  if (whole === '' && fraction === '') return undefined;
  let mantissa = BigInt(`${whole}${fraction}` || '0');
  if (sign === '-') mantissa = -mantissa;
  let exponent = -fraction.length;
  let format: QuantityFormat = 'DecimalSI';
  if (suffix in BINARY_POWERS) {
    format = 'BinarySI';
    mantissa *= 1024n ** BigInt(BINARY_POWERS[suffix]!);
  } else if (suffix in DECIMAL_EXPONENTS) {
    exponent += DECIMAL_EXPONENTS[suffix]!;
  } else {
    format = 'DecimalExponent';
    exponent += Number(suffix.slice(1));
  }
  // Finer than nano rounds away from zero to nano.
  if (exponent < -9) {
    const div = 10n ** BigInt(-9 - exponent);
    const q = mantissa / div;
    mantissa = mantissa % div === 0n ? q : q + (mantissa < 0n ? -1n : 1n);
    exponent = -9;
  }
  return { mantissa, exponent, format };
}

function stripTrailingZeros(mantissa: bigint, exponent: number): [bigint, number] {
  while (mantissa !== 0n && mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  return [mantissa, exponent];
}

const abs = (n: bigint): bigint => (n < 0n ? -n : n);

/** Quantity.String() of a quantity field's value; "0" for an absent (zero) quantity. */
export function formatQuantity(value: unknown): string {
  if (value === undefined || value === null) return '0';
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '';
  const q = parseQuantity(text);
  if (!q) return text;
  if (q.mantissa === 0n) return '0';
  let [mantissa, exponent] = stripTrailingZeros(q.mantissa, q.exponent);
  let format = q.format;
  if (format === 'BinarySI') {
    const small = exponent >= 0 ? abs(mantissa) * 10n ** BigInt(exponent) < 1024n : abs(mantissa) < 1024n * 10n ** BigInt(-exponent);
    if (small || exponent < 0) format = 'DecimalSI';
  }
  if (format === 'BinarySI') {
    let n = mantissa * 10n ** BigInt(exponent);
    let power = 0;
    while (n % 1024n === 0n && power < BINARY_SUFFIXES.length - 1) {
      n /= 1024n;
      power++;
    }
    return `${n}${BINARY_SUFFIXES[power]}`;
  }
  const shift = ((exponent % 3) + 3) % 3;
  mantissa *= 10n ** BigInt(shift);
  exponent -= shift;
  if (format === 'DecimalExponent') return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
  return `${mantissa}${DECIMAL_SUFFIXES.get(exponent) ?? ''}`;
}
