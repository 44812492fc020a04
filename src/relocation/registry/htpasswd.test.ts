/** htpasswd files written by the real `htpasswd` (Debian package apache2-utils). */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HtpasswdAuthenticator, HtpasswdError } from './htpasswd.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-htpasswd-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** One line as `htpasswd -n -b FLAG user password` prints it. */
function entry(flag: string, user: string, password: string): string {
  return execFileSync('htpasswd', ['-n', '-b', flag, user, password], { encoding: 'utf8' }).trim();
}

async function bcryptAvailable(): Promise<boolean> {
  const name = 'bcryptjs';
  try {
    await import(name);
    return true;
  } catch {
    return false;
  }
}

describe('htpasswd entries from the htpasswd tool', () => {
  it('accepts -s ({SHA}) and -p (plain) entries and checks passwords', async () => {
    const file = join(dir, 'sha-plain');
    writeFileSync(file, `${entry('-s', 'alice', 'wonder land')}\n${entry('-p', 'bob', 'b:u:i:l:d')}\n`);
    const auth = await HtpasswdAuthenticator.load(file);
    assert.equal(await auth.verify('alice', 'wonder land'), true);
    assert.equal(await auth.verify('alice', 'wonderland'), false);
    assert.equal(await auth.verify('bob', 'b:u:i:l:d'), true);
    assert.equal(await auth.verify('bob', 'b'), false);
    assert.equal(await auth.verify('carol', 'x'), false);
  });

  it('refuses -m (apr1 MD5) entries, naming file, line and user', async () => {
    const file = join(dir, 'md5');
    writeFileSync(file, `${entry('-s', 'ok', 'x')}\n${entry('-m', 'dave', 'pw')}\n`);
    await assert.rejects(HtpasswdAuthenticator.load(file), (e: unknown) => e instanceof HtpasswdError && e.message.startsWith(`${file} line 2: user "dave" has a apr1 hash`));
  });

  it('uses -B (bcrypt) entries through bcryptjs, or refuses them at load saying bcryptjs is needed', async () => {
    const file = join(dir, 'bcrypt');
    writeFileSync(file, `${entry('-B', 'erin', 'p@ss word')}\n`);
    if (await bcryptAvailable()) {
      const auth = await HtpasswdAuthenticator.load(file);
      assert.equal(await auth.verify('erin', 'p@ss word'), true);
      assert.equal(await auth.verify('erin', 'p@ss word'), true, 'cached');
      assert.equal(await auth.verify('erin', 'wrong'), false);
    } else {
      await assert.rejects(HtpasswdAuthenticator.load(file), (e: unknown) => e instanceof HtpasswdError && e.message === `${file} line 1: user "erin" has a bcrypt hash, which needs the bcryptjs npm package (not installed); use {SHA} (htpasswd -s) entries meanwhile`);
    }
  });
});
