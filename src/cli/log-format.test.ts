import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { chooseLogFormat, formatLogLine, readableLogStream } from './log-format.js';

describe('log format', () => {
  it('auto is text on a terminal and JSON otherwise; a flag wins', () => {
    assert.equal(chooseLogFormat('auto', true), 'text');
    assert.equal(chooseLogFormat('auto', false), 'json');
    assert.equal(chooseLogFormat(undefined, undefined), 'json');
    assert.equal(chooseLogFormat('json', true), 'json');
    assert.equal(chooseLogFormat('text', false), 'text');
  });

  it('a pino record reads as time, level, [component], message and key=value fields', () => {
    const t = new Date(2026, 0, 2, 3, 4, 5, 6).getTime();
    const line = JSON.stringify({ level: 30, time: t, pid: 1, hostname: 'h', name: 'slipway', component: 'sim', controller: 'machine', msg: 'machine ready', machine: 'dev-x', n: 3, ok: true, note: 'two words', obj: { a: 1 } });
    assert.equal(formatLogLine(line), '03:04:05.006 INFO  [sim/machine] machine ready machine=dev-x n=3 ok=true note="two words" obj={"a":1}\n');
    assert.equal(formatLogLine(JSON.stringify({ level: 40, time: t, msg: 'slow' })), '03:04:05.006 WARN  slow\n');
  });

  it('an error shows its message, then its stack indented; colour only when asked', () => {
    const line = JSON.stringify({ level: 50, time: 0, msg: 'reconcile failed', err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at f (a.ts:1:1)\n    at g (b.ts:2:2)' } });
    const text = formatLogLine(line);
    assert.match(text, /ERROR reconcile failed err=boom\n    at f \(a\.ts:1:1\)\n    at g \(b\.ts:2:2\)\n$/);
    assert.doesNotMatch(text, /\x1b/);
    assert.match(formatLogLine(line, true), /\x1b\[31mERROR/);
  });

  it('lines that are not JSON pass through', () => {
    assert.equal(formatLogLine('plain text'), 'plain text\n');
  });

  it('as a pino destination: every record becomes one readable line, partial writes joined', () => {
    const out: string[] = [];
    const log = pino({ name: 'slipway' }, readableLogStream((t) => out.push(t)));
    log.child({ component: 'api' }).info({ url: 'https://127.0.0.1:6443' }, 'ready');
    log.warn('careful');
    assert.equal(out.length, 2);
    assert.match(out[0]!, /^\d\d:\d\d:\d\d\.\d{3} INFO  \[api\] ready url=https:\/\/127\.0\.0\.1:6443\n$/);
    assert.match(out[1]!, /WARN  careful\n$/);
    const s = readableLogStream((t) => out.push(t));
    s.write('{"level":30,"ti');
    s.write('me":0,"msg":"joined"}\n');
    assert.match(out[2]!, /INFO  joined\n$/);
  });
});
