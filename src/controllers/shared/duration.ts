/** metav1.Duration text ("10m", "1h30m", "90s", "0s") as milliseconds, with Go's time.ParseDuration grammar. */
import { durationString, parseDuration } from '../../gotemplate/sprig/encoding.js';

/** Milliseconds of a Go duration; undefined when unset, throws on bad text naming the field. */
export function durationMs(text: string | undefined, field = 'duration'): number | undefined {
  if (text === undefined || text === null || text === '') return undefined;
  const ns = parseDuration(String(text));
  if (ns === null) throw new Error(`${field}: invalid duration "${text}" (use Go syntax, e.g. 10m, 1h30m, 90s)`);
  return Number(ns / 1_000_000n);
}

/** Go's time.Duration.String() of milliseconds ("1h0m0s", "5m30s", "0s"). */
export function formatDuration(ms: number): string {
  return durationString(BigInt(Math.round(ms)) * 1_000_000n);
}
