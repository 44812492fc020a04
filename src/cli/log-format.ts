/**
 * Readable log lines for `slipway server` on a terminal: pino writes one JSON object per line into this stream, which
 * prints `time LEVEL [component] message key=value ...` (an error's stack on the lines after). JSON is kept when the
 * output is piped or with --log-format json.
 */

export type LogFormat = 'text' | 'json';

/** --log-format auto|text|json: auto is text on a terminal, JSON otherwise. */
export function chooseLogFormat(flag: string | undefined, isTTY: boolean | undefined): LogFormat {
  if (flag === 'text' || flag === 'json') return flag;
  return isTTY ? 'text' : 'json';
}

const LEVELS: Record<number, { name: string; color: string }> = {
  10: { name: 'TRACE', color: '\x1b[90m' },
  20: { name: 'DEBUG', color: '\x1b[34m' },
  30: { name: 'INFO', color: '\x1b[32m' },
  40: { name: 'WARN', color: '\x1b[33m' },
  50: { name: 'ERROR', color: '\x1b[31m' },
  60: { name: 'FATAL', color: '\x1b[35m' },
};
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';

/** Fields every line has or that say nothing to a reader. */
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name', 'v']);
/** Fields shown in brackets before the message, in this order. */
const CONTEXT = ['component', 'controller'];

function pad2(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

function clock(t: unknown): string {
  const d = typeof t === 'number' || typeof t === 'string' ? new Date(t) : new Date(NaN);
  if (Number.isNaN(d.getTime())) return '--:--:--.---';
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}.${pad2(d.getMilliseconds(), 3)}`;
}

function valueText(v: unknown): string {
  if (typeof v === 'string') return v !== '' && !/[\s"=]/.test(v) ? v : JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return JSON.stringify(v) ?? String(v);
}

interface SerializedError {
  message?: string;
  stack?: string;
  type?: string;
}

/** One pino JSON line as readable text (the line itself, unchanged, when it is not JSON). */
export function formatLogLine(line: string, color = false): string {
  let rec: Record<string, unknown>;
  try {
    const parsed = JSON.parse(line) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return line.endsWith('\n') ? line : `${line}\n`;
    rec = parsed as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const level = LEVELS[Number(rec.level)] ?? { name: String(rec.level ?? 'LOG').toUpperCase(), color: '' };
  const paint = (text: string, code: string): string => (color && code ? `${code}${text}${RESET}` : text);
  const parts = [paint(clock(rec.time), DIM), paint(level.name.padEnd(5), level.color)];
  const context = CONTEXT.filter((k) => rec[k] !== undefined).map((k) => String(rec[k]));
  if (context.length) parts.push(`[${context.join('/')}]`);
  if (rec.msg !== undefined && rec.msg !== '') parts.push(String(rec.msg));
  let stack = '';
  for (const [k, v] of Object.entries(rec)) {
    if (HIDDEN.has(k) || CONTEXT.includes(k) || v === undefined) continue;
    if ((k === 'err' || k === 'error') && v && typeof v === 'object') {
      const e = v as SerializedError;
      parts.push(paint(`${k}=${valueText(e.message ?? e.type ?? 'error')}`, color ? level.color : ''));
      if (e.stack) stack = `${e.stack.split('\n').slice(1).map((l) => `    ${l.trim()}`).join('\n')}\n`;
      continue;
    }
    parts.push(`${paint(`${k}=`, DIM)}${valueText(v)}`);
  }
  return `${parts.join(' ')}\n${stack}`;
}

/** A pino destination that writes readable lines to `write`. */
export function readableLogStream(write: (text: string) => void, color = false): { write(chunk: string): void } {
  let pending = '';
  return {
    write(chunk: string) {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line.trim()) write(formatLogLine(line, color));
      }
    },
  };
}
