import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScheduleError, instantOf, mostRecentScheduleTime, nextAfter, parseSchedule, wallClock } from './cron.js';

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString().replace('.000Z', 'Z'));
const at = (s: string): number => Date.parse(s);

test('parse errors (robfig ParseStandard messages)', () => {
  const bad: [string, RegExp][] = [
    ['* * * *', /expected exactly 5 fields, found 4/],
    ['* * * * * *', /expected exactly 5 fields, found 6/],
    ['60 * * * *', /end of range \(60\) above maximum \(59\)/],
    ['* 24 * * *', /above maximum \(23\)/],
    ['* * 0 * *', /beginning of range \(0\) below minimum \(1\)/],
    ['* * * 13 *', /above maximum \(12\)/],
    ['* * * * 7', /above maximum \(6\)/],
    ['5-1 * * * *', /beginning of range \(5\) beyond end of range \(1\)/],
    ['*/0 * * * *', /step of range should be a positive number/],
    ['1-2-3 * * * *', /too many hyphens/],
    ['1/2/3 * * * *', /too many slashes/],
    ['x * * * *', /failed to parse int from x/],
    ['@fortnightly', /unrecognized descriptor/],
    ['CRON_TZ=Mars/Olympus * * * * *', /unknown time zone Mars\/Olympus/],
    ['@every 1x', /invalid duration/],
  ];
  for (const [spec, re] of bad) assert.throws(() => parseSchedule(spec), (e: unknown) => e instanceof ScheduleError && re.test(e.message), spec);
});

test('next schedule time (UTC)', () => {
  const cases: [string, string, string][] = [
    ['* * * * *', '2024-01-01T00:00:00Z', '2024-01-01T00:01:00Z'],
    ['* * * * *', '2024-01-01T00:00:30Z', '2024-01-01T00:01:00Z'],
    ['*/15 * * * *', '2024-01-01T00:14:59Z', '2024-01-01T00:15:00Z'],
    ['*/15 * * * *', '2024-01-01T00:45:00Z', '2024-01-01T01:00:00Z'],
    ['5/20 * * * *', '2024-01-01T00:06:00Z', '2024-01-01T00:25:00Z'],
    ['0 9-17/4 * * *', '2024-01-01T10:00:00Z', '2024-01-01T13:00:00Z'],
    ['30 2 * * *', '2024-01-01T03:00:00Z', '2024-01-02T02:30:00Z'],
    ['0 0 1 * *', '2024-01-15T00:00:00Z', '2024-02-01T00:00:00Z'],
    ['0 0 31 * *', '2024-01-31T00:00:00Z', '2024-03-31T00:00:00Z'],
    ['0 0 29 2 *', '2024-03-01T00:00:00Z', '2028-02-29T00:00:00Z'],
    ['0 0 * * MON', '2024-01-01T00:00:00Z', '2024-01-08T00:00:00Z'],
    ['0 0 * * 1-5', '2024-01-05T12:00:00Z', '2024-01-08T00:00:00Z'],
    ['0 0 * JAN,jul *', '2024-02-01T00:00:00Z', '2024-07-01T00:00:00Z'],
    ['0 0 ? * SUN', '2024-01-01T00:00:00Z', '2024-01-07T00:00:00Z'],
    // Day of month OR day of week when both are restricted.
    ['0 0 13 * 5', '2024-01-01T00:00:00Z', '2024-01-05T00:00:00Z'],
    ['0 0 13 * 5', '2024-01-12T00:00:00Z', '2024-01-13T00:00:00Z'],
    // A step over day of week clears the star: OR again.
    ['0 0 1 * */2', '2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z'],
    ['@hourly', '2024-01-01T00:00:00Z', '2024-01-01T01:00:00Z'],
    ['@daily', '2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z'],
    ['@midnight', '2024-01-01T12:00:00Z', '2024-01-02T00:00:00Z'],
    ['@weekly', '2024-01-01T00:00:00Z', '2024-01-07T00:00:00Z'],
    ['@monthly', '2024-01-01T00:00:00Z', '2024-02-01T00:00:00Z'],
    ['@yearly', '2024-01-01T00:00:00Z', '2025-01-01T00:00:00Z'],
    ['@annually', '2024-06-01T00:00:00Z', '2025-01-01T00:00:00Z'],
    ['@every 90s', '2024-01-01T00:00:00Z', '2024-01-01T00:01:30Z'],
  ];
  for (const [spec, from, want] of cases) assert.equal(iso(nextAfter(parseSchedule(spec), at(from))), want, `${spec} after ${from}`);
});

test('time zones: wall clock, DST gap skipped, repeated hour once', () => {
  assert.equal(iso(nextAfter(parseSchedule('0 9 * * *'), at('2024-01-01T00:00:00Z'), 'America/New_York')), '2024-01-01T14:00:00Z');
  assert.equal(iso(nextAfter(parseSchedule('CRON_TZ=Asia/Tokyo 0 9 * * *'), at('2024-01-01T00:00:00Z'))), '2024-01-02T00:00:00Z');
  assert.equal(iso(nextAfter(parseSchedule('TZ=Europe/Berlin 30 1 * * *'), at('2024-07-01T00:00:00Z'))), '2024-07-01T23:30:00Z');
  // 2024-03-10 02:30 does not exist in New York: the next run is the day after.
  assert.equal(iso(nextAfter(parseSchedule('30 2 * * *'), at('2024-03-10T05:00:00Z'), 'America/New_York')), '2024-03-11T06:30:00Z');
  // 2024-11-03 01:30 happens twice in New York: once, at the first (EDT) occurrence.
  const s = parseSchedule('30 1 * * *');
  const first = nextAfter(s, at('2024-11-03T04:00:00Z'), 'America/New_York');
  assert.equal(iso(first), '2024-11-03T05:30:00Z');
  assert.equal(iso(nextAfter(s, first!, 'America/New_York')), '2024-11-04T06:30:00Z');
  assert.equal(iso(wallClock(at('2024-01-01T14:00:00Z'), 'America/New_York')), '2024-01-01T09:00:00Z');
  assert.equal(instantOf(at('2024-03-10T02:30:00Z'), 'America/New_York'), undefined);
});

test('most recent schedule time and missed count (upstream mostRecentScheduleTime cases)', () => {
  const hourly = parseSchedule('0 * * * *');
  assert.deepEqual(mostRecentScheduleTime(hourly, at('2024-01-01T10:00:00Z'), at('2024-01-01T10:30:00Z')), { timeMs: undefined, missed: 0, nextMs: at('2024-01-01T11:00:00Z') });
  assert.deepEqual(mostRecentScheduleTime(hourly, at('2024-01-01T10:00:00Z'), at('2024-01-01T11:00:00Z')), { timeMs: at('2024-01-01T11:00:00Z'), missed: 1, nextMs: at('2024-01-01T12:00:00Z') });
  const r = mostRecentScheduleTime(hourly, at('2024-01-01T10:00:00Z'), at('2024-01-01T13:30:00Z'));
  assert.equal(iso(r.timeMs), '2024-01-01T13:00:00Z');
  assert.equal(r.missed, 3);
  const many = mostRecentScheduleTime(parseSchedule('* * * * *'), at('2024-01-01T00:00:00Z'), at('2024-01-02T00:00:00Z'));
  assert.equal(many.missed, 1440);
  assert.equal(iso(many.timeMs), '2024-01-02T00:00:00Z');
});
