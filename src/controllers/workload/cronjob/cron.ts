/**
 * Cron schedules as Kubernetes' CronJob reads them (robfig/cron v3 ParseStandard): five fields — minute, hour, day of
 * month, month (1-12 or JAN-DEC), day of week (0-6 or SUN-SAT) — each `*`, `?`, a value, a range `a-b`, a step
 * (`*\/n`, `a-b/n`, `a/n` meaning a to the maximum) or a comma list; the descriptors @yearly, @annually, @monthly,
 * @weekly, @daily, @midnight, @hourly and `@every <duration>`; an optional `CRON_TZ=<zone>` or `TZ=<zone>` prefix.
 * Day of month and day of week: when either is `*` (or `?`) both must match, otherwise either may. Times are wall-clock
 * times in an IANA zone; a time that does not exist in the zone (a DST gap) is skipped, an ambiguous one runs at its
 * first occurrence. Pure.
 */

export class ScheduleError extends Error {}

interface Field {
  bits: boolean[];
  /** The field was `*` or `?` (or a step of 1 over the whole range). */
  star: boolean;
}

export interface Schedule {
  minute: Field;
  hour: Field;
  dom: Field;
  month: Field;
  dow: Field;
  /** `@every`: a fixed interval in milliseconds instead of fields. */
  everyMs?: number;
  /** Zone named in the schedule text (CRON_TZ= / TZ=). */
  timeZone?: string;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface Bounds {
  min: number;
  max: number;
  names?: string[];
  /** Value of the first name. */
  nameBase?: number;
}

const MINUTE: Bounds = { min: 0, max: 59 };
const HOUR: Bounds = { min: 0, max: 23 };
const DOM: Bounds = { min: 1, max: 31 };
const MONTH: Bounds = { min: 1, max: 12, names: MONTHS, nameBase: 1 };
const DOW: Bounds = { min: 0, max: 6, names: DAYS, nameBase: 0 };

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

function parseValue(s: string, b: Bounds, expr: string): number {
  const i = b.names?.indexOf(s.toLowerCase()) ?? -1;
  if (i >= 0) return i + (b.nameBase ?? 0);
  if (!/^\d+$/.test(s)) throw new ScheduleError(`failed to parse int from ${s}: strconv.Atoi: parsing "${s}": invalid syntax`);
  void expr;
  return Number(s);
}

function parseRange(expr: string, b: Bounds): { bits: number[]; star: boolean } {
  const rangeAndStep = expr.split('/');
  const lowHigh = rangeAndStep[0].split('-');
  let start: number;
  let end: number;
  let star = false;
  if (lowHigh[0] === '*' || lowHigh[0] === '?') {
    if (lowHigh.length > 1) throw new ScheduleError(`too many hyphens: ${expr}`);
    start = b.min;
    end = b.max;
    star = true;
  } else {
    start = parseValue(lowHigh[0], b, expr);
    if (lowHigh.length === 1) end = start;
    else if (lowHigh.length === 2) end = parseValue(lowHigh[1], b, expr);
    else throw new ScheduleError(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    if (!/^\d+$/.test(rangeAndStep[1])) throw new ScheduleError(`failed to parse int from ${rangeAndStep[1]}`);
    step = Number(rangeAndStep[1]);
    if (lowHigh.length === 1 && !star) end = b.max;
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) throw new ScheduleError(`too many slashes: ${expr}`);
  if (start < b.min) throw new ScheduleError(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new ScheduleError(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) throw new ScheduleError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new ScheduleError(`step of range should be a positive number: ${expr}`);
  const bits: number[] = [];
  for (let v = start; v <= end; v += step) bits.push(v);
  return { bits, star };
}

function parseField(text: string, b: Bounds): Field {
  const bits = new Array<boolean>(b.max + 1).fill(false);
  let star = false;
  for (const part of text.split(',')) {
    const r = parseRange(part, b);
    for (const v of r.bits) bits[v] = true;
    star = star || r.star;
  }
  return { bits, star };
}

/** Go duration text ("1h30m", "90s") in milliseconds. */
function parseDuration(s: string): number {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let consumed = '';
  for (const m of s.matchAll(re)) {
    total += Number(m[1]) * unit[m[2]];
    consumed += m[0];
  }
  if (!s || consumed !== s) throw new ScheduleError(`failed to parse duration ${s}: time: invalid duration "${s}"`);
  return total;
}

export function parseSchedule(text: string): Schedule {
  let spec = text.trim();
  let timeZone: string | undefined;
  const tz = /^(?:CRON_TZ|TZ)=(\S+)\s*/.exec(spec);
  if (tz) {
    timeZone = tz[1];
    if (!isValidTimeZone(timeZone)) throw new ScheduleError(`provided bad location ${timeZone}: unknown time zone ${timeZone}`);
    spec = spec.slice(tz[0].length).trim();
  }
  if (spec.startsWith('@every ')) {
    const ms = parseDuration(spec.slice(7).trim());
    // robfig rounds intervals below a second up to one second, and drops sub-second parts.
    const everyMs = Math.max(1000, ms - (ms % 1000));
    const all = (b: Bounds): Field => ({ bits: new Array<boolean>(b.max + 1).fill(true), star: true });
    return { minute: all(MINUTE), hour: all(HOUR), dom: all(DOM), month: all(MONTH), dow: all(DOW), everyMs, timeZone };
  }
  if (spec.startsWith('@')) {
    const d = DESCRIPTORS[spec.toLowerCase()];
    if (!d) throw new ScheduleError(`unrecognized descriptor: ${spec}`);
    spec = d;
  }
  const fields = spec.split(/\s+/).filter(Boolean);
  if (fields.length !== 5) throw new ScheduleError(`expected exactly 5 fields, found ${fields.length}: ${text}`);
  return {
    minute: parseField(fields[0], MINUTE),
    hour: parseField(fields[1], HOUR),
    dom: parseField(fields[2], DOM),
    month: parseField(fields[3], MONTH),
    dow: parseField(fields[4], DOW),
    timeZone,
  };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(zone, f);
  }
  return f;
}

export function isValidTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock time of an instant in a zone, as milliseconds of a UTC date with the same fields. */
export function wallClock(instantMs: number, zone: string): number {
  if (zone === 'UTC' || zone === 'Etc/UTC') return instantMs;
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(instantMs))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const secondsMs = instantMs - Math.floor(instantMs / 1000) * 1000;
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) + secondsMs;
}

/** The instant of a wall-clock time in a zone; undefined when the zone skips that time. The earlier one when it repeats. */
export function instantOf(wallMs: number, zone: string): number | undefined {
  if (zone === 'UTC' || zone === 'Etc/UTC') return wallMs;
  const candidates = new Set<number>();
  for (const probe of [wallMs - 14 * 3_600_000, wallMs, wallMs + 14 * 3_600_000]) candidates.add(wallMs - (wallClock(probe, zone) - probe));
  const hits = [...candidates].filter((t) => wallClock(t, zone) === wallMs).sort((a, b) => a - b);
  return hits[0];
}

function dayMatches(s: Schedule, d: Date): boolean {
  const dom = s.dom.bits[d.getUTCDate()];
  const dow = s.dow.bits[d.getUTCDay()];
  return s.dom.star || s.dow.star ? dom && dow : dom || dow;
}

const MINUTE_MS = 60_000;

/** The first schedule time strictly after `afterMs` in `zone` (default UTC), within five years; undefined if none. */
export function nextAfter(s: Schedule, afterMs: number, zone = 'UTC'): number | undefined {
  if (s.everyMs !== undefined) return afterMs - (afterMs % 1000) + s.everyMs;
  const z = s.timeZone ?? zone;
  let wall = Math.floor(wallClock(afterMs, z) / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  const limit = wall + 5 * 366 * 24 * 3_600_000;
  while (wall < limit) {
    const d = new Date(wall);
    if (!s.month.bits[d.getUTCMonth() + 1]) {
      wall = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
      continue;
    }
    if (!dayMatches(s, d)) {
      wall = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
      continue;
    }
    if (!s.hour.bits[d.getUTCHours()]) {
      wall = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours() + 1);
      continue;
    }
    if (!s.minute.bits[d.getUTCMinutes()]) {
      wall += MINUTE_MS;
      continue;
    }
    const at = instantOf(wall, z);
    if (at !== undefined && at > afterMs) return at;
    wall += MINUTE_MS;
  }
  return undefined;
}

export interface MostRecent {
  /** The latest schedule time in (earliestMs, nowMs], if any. */
  timeMs?: number;
  /** How many schedule times fell in that window (upstream warns above 100). */
  missed: number;
  /** The first schedule time after nowMs. */
  nextMs?: number;
}

/** upstream mostRecentScheduleTime: the newest schedule time after `earliestMs` and at or before `nowMs`. */
export function mostRecentScheduleTime(s: Schedule, earliestMs: number, nowMs: number, zone = 'UTC'): MostRecent {
  let t = nextAfter(s, earliestMs, zone);
  let last: number | undefined;
  let missed = 0;
  while (t !== undefined && t <= nowMs) {
    last = t;
    missed++;
    t = nextAfter(s, t, zone);
  }
  return { timeMs: last, missed, nextMs: t };
}
