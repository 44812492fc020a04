import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { finished } from 'node:stream/promises';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { AuditEvent } from './event.js';
import { AuditLogWriter, backupName, backupTimestamp, parseBackupTimestamp } from './log-writer.js';

const DAY = 24 * 60 * 60 * 1000;

class ManualClock {
  constructor(public ms: number) {}
  now(): Date {
    return new Date(this.ms);
  }
}

function event(i: number, pad = 0): AuditEvent {
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: `id-${String(i).padStart(5, '0')}`,
    stage: 'ResponseComplete',
    requestURI: `/api/v1/namespaces/default/configmaps/c${i}${'x'.repeat(pad)}`,
    verb: 'get',
    user: { username: 'alice' },
    requestReceivedTimestamp: '2026-12-07T13:00:00.000000Z',
    stageTimestamp: '2026-12-07T13:00:00.000000Z',
  };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'audit-log-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Every event in the directory's log files, oldest file first (backups sort by time, the live file last). */
function readAll(_path?: string): { files: string[]; ids: string[]; sizes: number[] } {
  const files = readdirSync(dir).filter((f) => f.startsWith('audit')).sort((a, b) => (a === 'audit.log' ? 1 : b === 'audit.log' ? -1 : a.localeCompare(b)));
  const ids: string[] = [];
  const sizes: number[] = [];
  for (const f of files) {
    const text = readFileSync(join(dir, f), 'utf8');
    sizes.push(Buffer.byteLength(text));
    if (text === '') continue;
    assert.ok(text.endsWith('\n'), `${f} ends with a newline`);
    for (const line of text.slice(0, -1).split('\n')) ids.push((JSON.parse(line) as AuditEvent).auditID);
  }
  return { files, ids, sizes };
}

describe('backup names (lumberjack format)', () => {
  it('formats and parses the UTC timestamp', () => {
    const t = Date.UTC(2026, 11, 7, 13, 4, 5, 67);
    assert.equal(backupTimestamp(t), '2026-12-07T13-04-05.067');
    assert.equal(parseBackupTimestamp('2026-12-07T13-04-05.067'), t);
    assert.equal(parseBackupTimestamp('2026-12-07T13:04:05.067'), undefined);
    assert.equal(backupName('/var/log/kubernetes/audit.log', t), '/var/log/kubernetes/audit-2026-12-07T13-04-05.067.log');
    assert.equal(backupName('/var/log/audit', t), '/var/log/audit-2026-12-07T13-04-05.067');
    assert.equal(backupName('/var/log/audit.json.log', t), '/var/log/audit.json-2026-12-07T13-04-05.067.log');
  });
});

describe('AuditLogWriter', () => {
  it('creates the directory and an empty 0600 log file at start', async () => {
    const path = join(dir, 'nested', 'audit.log');
    const w = new AuditLogWriter({ path });
    assert.equal(statSync(path).size, 0);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    await w.close();
  });

  it('writes JSON lines, buffered until the next turn or flush, and on close', async () => {
    const path = join(dir, 'audit.log');
    const w = new AuditLogWriter({ path });
    w.write(event(1));
    w.write(event(2));
    assert.equal(readFileSync(path, 'utf8'), '', 'buffered');
    w.flush();
    assert.deepEqual(readAll(path).ids, ['id-00001', 'id-00002']);
    w.write(event(3));
    await w.close();
    assert.deepEqual(readAll(path).ids, ['id-00001', 'id-00002', 'id-00003']);
    // A write after close opens the file again.
    w.write(event(4));
    await w.close();
    assert.deepEqual(readAll(path).ids, ['id-00001', 'id-00002', 'id-00003', 'id-00004']);
  });

  it('flushes on its own within a turn of the event loop', async () => {
    const path = join(dir, 'audit.log');
    const w = new AuditLogWriter({ path });
    w.write(event(1));
    const deadline = Date.now() + 5000;
    while (readFileSync(path, 'utf8') === '' && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    assert.deepEqual(readAll(path).ids, ['id-00001']);
    await w.close();
  });

  it('a full buffer is written at once (bounded)', async () => {
    const path = join(dir, 'audit.log');
    const line = `${JSON.stringify(event(1))}\n`.length;
    const w = new AuditLogWriter({ path, maxBufferBytes: line * 3 });
    w.write(event(1));
    w.write(event(2));
    assert.equal(readFileSync(path, 'utf8'), '');
    w.write(event(3));
    assert.deepEqual(readAll(path).ids, ['id-00001', 'id-00002', 'id-00003']);
    await w.close();
  });

  it('rotates by size: no file exceeds the limit, no event is lost or split, order kept', async () => {
    const path = join(dir, 'audit.log');
    const clock = new ManualClock(Date.UTC(2026, 11, 7, 13, 0, 0, 0));
    const w = new AuditLogWriter({ path, maxSizeBytes: 1000, clock });
    const want: string[] = [];
    for (let i = 0; i < 60; i++) {
      w.write(event(i));
      want.push(event(i).auditID);
      clock.ms += 10;
      if (i % 7 === 0) w.flush(); // rotation both inside and between batches
    }
    await w.close();
    const { files, ids, sizes } = readAll(path);
    assert.deepEqual(ids, want);
    assert.ok(files.length > 5, `rotated into ${files.length} files`);
    for (const s of sizes) assert.ok(s <= 1000, `file of ${s} bytes`);
    for (const f of files.slice(0, -1)) assert.match(f, /^audit-2026-12-07T13-00-\d{2}\.\d{3}\.log$/);
    assert.equal(files.at(-1), 'audit.log');
    for (const f of files) assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600);
  });

  it('rotations within one millisecond get distinct names (nothing overwritten)', async () => {
    const path = join(dir, 'audit.log');
    const clock = new ManualClock(Date.UTC(2026, 11, 7, 13, 0, 0, 0));
    const w = new AuditLogWriter({ path, maxSizeBytes: 400, clock });
    for (let i = 0; i < 20; i++) w.write(event(i));
    await w.close();
    const { files, ids } = readAll(path);
    assert.equal(ids.length, 20);
    assert.deepEqual(ids, [...ids].sort());
    assert.ok(files.length >= 10);
  });

  it('an event larger than the limit is still written whole, in a file of its own', async () => {
    const path = join(dir, 'audit.log');
    const w = new AuditLogWriter({ path, maxSizeBytes: 500, clock: new ManualClock(Date.UTC(2026, 0, 1)) });
    w.write(event(1));
    w.write(event(2, 1000));
    w.write(event(3));
    await w.close();
    const { ids, sizes } = readAll(path);
    assert.deepEqual(ids, ['id-00001', 'id-00002', 'id-00003']);
    assert.equal(sizes.length, 3);
    assert.ok(sizes[1]! > 1000);
  });

  it('rotates an existing file that is already full before the first write', async () => {
    const path = join(dir, 'audit.log');
    writeFileSync(path, `${JSON.stringify(event(0, 900))}\n`);
    const w = new AuditLogWriter({ path, maxSizeBytes: 1000, clock: new ManualClock(Date.UTC(2026, 0, 1)) });
    w.write(event(1));
    await w.close();
    const { files, ids } = readAll(path);
    assert.deepEqual(files, ['audit-2026-01-01T00-00-00.000.log', 'audit.log']);
    assert.deepEqual(ids, ['id-00000', 'id-00001']);
  });

  it('appends to an existing file that has room', async () => {
    const path = join(dir, 'audit.log');
    writeFileSync(path, `${JSON.stringify(event(0))}\n`);
    const w = new AuditLogWriter({ path, maxSizeBytes: 10_000 });
    w.write(event(1));
    await w.close();
    assert.deepEqual(readAll(path), { files: ['audit.log'], ids: ['id-00000', 'id-00001'], sizes: [statSync(path).size] });
  });

  it('keeps at most maxBackups rotated files, the newest', async () => {
    const path = join(dir, 'audit.log');
    const clock = new ManualClock(Date.UTC(2026, 11, 7, 13, 0, 0, 0));
    const w = new AuditLogWriter({ path, maxSizeBytes: 400, maxBackups: 2, clock });
    for (let i = 0; i < 20; i++) {
      w.write(event(i));
      w.flush();
      clock.ms += 1000;
    }
    await w.close();
    const { files, ids } = readAll(path);
    assert.equal(files.length, 3);
    // The live file and the two newest backups hold the last events, in order.
    assert.deepEqual(ids, ids.slice().sort());
    assert.equal(ids.at(-1), 'id-00019');
  });

  it('removes backups older than maxAgeDays', async () => {
    const path = join(dir, 'audit.log');
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    // Backups of earlier runs: 10 days old, 2 days old; a stranger file is left alone.
    writeFileSync(backupName(path, clock.ms - 10 * DAY), 'old\n');
    writeFileSync(backupName(path, clock.ms - 2 * DAY), 'recent\n');
    writeFileSync(join(dir, 'audit-notes.log'), 'not a backup\n');
    const w = new AuditLogWriter({ path, maxSizeBytes: 400, maxAgeDays: 3, clock });
    w.write(event(1));
    w.flush();
    assert.deepEqual(readdirSync(dir).sort(), ['audit-2025-12-30T00-00-00.000.log', 'audit-notes.log', 'audit.log']);
    clock.ms += 2 * DAY; // the 2-day-old backup is now 4 days old
    for (let i = 2; i < 6; i++) w.write(event(i));
    await w.close();
    const names = readdirSync(dir);
    assert.equal(names.includes('audit-2025-12-30T00-00-00.000.log'), false);
    assert.ok(names.includes('audit-notes.log'));
    assert.ok(names.some((n) => n.startsWith('audit-2026-01-03T')));
  });

  it('"-" writes to stdout (here a stream) without rotation', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const w = new AuditLogWriter({ path: '-', stdout: out, maxSizeBytes: 10 });
    w.write(event(1));
    w.write(event(2));
    await w.close();
    out.end();
    await finished(out);
    const lines = Buffer.concat(chunks).toString('utf8').trim().split('\n');
    assert.deepEqual(lines.map((l) => (JSON.parse(l) as AuditEvent).auditID), ['id-00001', 'id-00002']);
    assert.deepEqual(readdirSync(dir), []);
  });
});
