/** Time source for the API server; tests substitute their own. */
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

/** RFC 3339 with second precision, as metav1.Time serialises. */
export function rfc3339(d: Date): string {
  const second = Math.floor(d.getTime() / 1000);
  if (second !== lastSecond || !Number.isFinite(second)) {
    lastText = d.toISOString().replace(/\.\d+Z$/, 'Z');
    lastSecond = second;
  }
  return lastText;
}
// Every write stamps the current second: format each second once.
let lastSecond = NaN;
let lastText = '';
