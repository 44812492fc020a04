/** sprig math: integer arithmetic via cast.ToInt64 (int64 results), float arithmetic via shopspring/decimal. */
import { GoFuncError, GoInt, type GoCallable, type GoValue, goInt } from '../values.js';
import { sprint } from '../fmt.js';
import { fn, toFloat64, toInt64 } from './convert.js';

const i64 = (v: bigint): GoInt => new GoInt(v, 'int64');

/** A decimal coef × 10^exp, as shopspring/decimal. */
interface Dec {
  c: bigint;
  e: number;
}

function decFromFloat(f: number): Dec {
  if (Number.isNaN(f)) throw new GoFuncError('Cannot create a Decimal from NaN');
  if (!Number.isFinite(f)) throw new GoFuncError(`Cannot create a Decimal from ${f > 0 ? '+Inf' : '-Inf'}`);
  if (f === 0) return { c: 0n, e: 0 };
  const s = Math.abs(f).toExponential();
  const [mant, exp] = s.split('e') as [string, string];
  const digits = mant.replace('.', '');
  const e = Number(exp) - (digits.length - 1);
  const c = BigInt(digits) * (f < 0 ? -1n : 1n);
  return { c, e };
}

function align(a: Dec, b: Dec): [bigint, bigint, number] {
  if (a.e === b.e) return [a.c, b.c, a.e];
  if (a.e < b.e) return [a.c, b.c * 10n ** BigInt(b.e - a.e), a.e];
  return [a.c * 10n ** BigInt(a.e - b.e), b.c, b.e];
}

const decAdd = (a: Dec, b: Dec): Dec => {
  const [x, y, e] = align(a, b);
  return { c: x + y, e };
};
const decSub = (a: Dec, b: Dec): Dec => {
  const [x, y, e] = align(a, b);
  return { c: x - y, e };
};
const decMul = (a: Dec, b: Dec): Dec => ({ c: a.c * b.c, e: a.e + b.e });

const DIVISION_PRECISION = 16;
function decDiv(d: Dec, d2: Dec): Dec {
  if (d2.c === 0n) throw new GoFuncError('decimal division by 0');
  const scale = -DIVISION_PRECISION;
  const e = d.e - d2.e - scale;
  let aa: bigint;
  let bb: bigint;
  let scalerest: number;
  if (e < 0) {
    aa = d.c;
    bb = d2.c * 10n ** BigInt(-e);
    scalerest = d.e;
  } else {
    aa = d.c * 10n ** BigInt(e);
    bb = d2.c;
    scalerest = scale + d2.e;
  }
  const q = aa / bb;
  const r = aa % bb;
  // Round half away from zero: compare 2|r| (at exp r.e + precision) with |d2|.
  const abs = (x: bigint): bigint => (x < 0n ? -x : x);
  const r2: Dec = { c: abs(r) * 2n, e: scalerest + DIVISION_PRECISION };
  const d2abs: Dec = { c: abs(d2.c), e: d2.e };
  const [x, y] = align(r2, d2abs);
  const quotient: Dec = { c: q, e: scale };
  if (x < y) return quotient;
  const one: Dec = { c: 1n, e: -DIVISION_PRECISION };
  if ((d.c < 0n) !== (d2.c < 0n) && d.c !== 0n) return decSub(quotient, one);
  return decAdd(quotient, one);
}

function decToFloat(d: Dec): number {
  return Number(`${d.c}e${d.e}`);
}

function decimalOp(a: GoValue, rest: GoValue[], op: (x: Dec, y: Dec) => Dec): number {
  let acc = decFromFloat(toFloat64(a));
  for (const x of rest) acc = op(acc, decFromFloat(toFloat64(x)));
  return decToFloat(acc);
}

function goDiv(a: bigint, b: bigint, what: string): bigint {
  if (b === 0n) throw new GoFuncError('runtime error: integer divide by zero');
  // Go truncates toward zero, like BigInt division.
  return what === 'div' ? BigInt.asIntN(64, a / b) : a % b;
}

function round(a: GoValue, p: number, opt: GoValue[]): number {
  const roundOn = opt.length > 0 ? (opt[0] as number) : 0.5;
  const val = toFloat64(a);
  const pow = Math.pow(10, p);
  const digit = pow * val;
  const div = digit - Math.trunc(digit);
  const r = div >= roundOn ? Math.ceil(digit) : Math.floor(digit);
  return r / pow;
}

function toDecimal(v: GoValue): GoValue {
  const s = sprint([v ?? null]);
  // strconv.ParseInt(s, 8, 64)
  const m = /^([+-]?)([0-7]+)$/.exec(s);
  if (!m) return i64(0n);
  const n = BigInt('0o' + m[2]) * (m[1] === '-' ? -1n : 1n);
  if (n > 9223372036854775807n || n < -9223372036854775808n) return i64(0n);
  return i64(n);
}

export const mathFuncs: Record<string, GoCallable> = {
  add1: fn(['any'], (i) => i64(toInt64(i) + 1n)),
  add: fn(['any'], (...xs) => i64(xs.reduce<bigint>((a, x) => a + toInt64(x), 0n)), true),
  sub: fn(['any', 'any'], (a, b) => i64(toInt64(a) - toInt64(b))),
  div: fn(['any', 'any'], (a, b) => i64(goDiv(toInt64(a), toInt64(b), 'div'))),
  mod: fn(['any', 'any'], (a, b) => i64(goDiv(toInt64(a), toInt64(b), 'mod'))),
  mul: fn(['any', 'any'], (a, ...xs) => i64(xs.reduce<bigint>((acc, x) => BigInt.asIntN(64, acc * toInt64(x)), toInt64(a))), true),
  add1f: fn(['any'], (i) => decimalOp(i, [goInt(1)], decAdd)),
  addf: fn(['any'], (...xs) => decimalOp(0, xs, decAdd), true),
  subf: fn(['any', 'any'], (a, ...xs) => decimalOp(a, xs, decSub), true),
  divf: fn(['any', 'any'], (a, ...xs) => decimalOp(a, xs, decDiv), true),
  mulf: fn(['any', 'any'], (a, ...xs) => decimalOp(a, xs, decMul), true),
  biggest: fn(['any', 'any'], (a, ...xs) => i64(xs.reduce<bigint>((m, x) => (toInt64(x) > m ? toInt64(x) : m), toInt64(a))), true),
  max: fn(['any', 'any'], (a, ...xs) => i64(xs.reduce<bigint>((m, x) => (toInt64(x) > m ? toInt64(x) : m), toInt64(a))), true),
  min: fn(['any', 'any'], (a, ...xs) => i64(xs.reduce<bigint>((m, x) => (toInt64(x) < m ? toInt64(x) : m), toInt64(a))), true),
  maxf: fn(['any', 'any'], (a, ...xs) => xs.reduce<number>((m, x) => goMax(m, toFloat64(x)), toFloat64(a)), true),
  minf: fn(['any', 'any'], (a, ...xs) => xs.reduce<number>((m, x) => goMin(m, toFloat64(x)), toFloat64(a)), true),
  ceil: fn(['any'], (a) => Math.ceil(toFloat64(a))),
  floor: fn(['any'], (a) => Math.floor(toFloat64(a))),
  round: fn(['any', 'int', 'float64'], (a, p, ...opt) => round(a, Number((p as GoInt).v), opt), true),
  int64: fn(['any'], (v) => i64(toInt64(v))),
  int: fn(['any'], (v) => goInt(toInt64(v))),
  float64: fn(['any'], (v) => toFloat64(v)),
  toDecimal: fn(['any'], toDecimal),
};

function goMax(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  return Math.max(a, b);
}
function goMin(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  return Math.min(a, b);
}
