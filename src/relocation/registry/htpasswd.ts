/**
 * Basic authentication against an Apache htpasswd file. Entries: bcrypt (`htpasswd -B`,
 * `$2y$`/`$2a$`/`$2b$`, checked with the `bcryptjs` package when it is installed), SHA-1
 * (`htpasswd -s`, `{SHA}base64`) and plain text (`htpasswd -p`). MD5 (`$apr1$`) and crypt(3)
 * variants are refused when the file is loaded, naming the line. The file is re-read when it changes.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { promises as fsp } from 'node:fs';

export type HtpasswdScheme = 'bcrypt' | 'sha1' | 'plain';

export interface HtpasswdEntry {
  user: string;
  scheme: HtpasswdScheme;
  hash: string;
  line: number;
}

export class HtpasswdError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HtpasswdError';
  }
}

/** Parses htpasswd text; `file` only names the source in errors. */
export function parseHtpasswd(text: string, file: string): HtpasswdEntry[] {
  const out: HtpasswdEntry[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const at = `${file} line ${i + 1}`;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new HtpasswdError(`${at}: expected USER:HASH`);
    const user = line.slice(0, colon);
    const hash = line.slice(colon + 1);
    if (seen.has(user)) throw new HtpasswdError(`${at}: user "${user}" appears twice`);
    seen.add(user);
    let scheme: HtpasswdScheme;
    if (/^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/.test(hash)) scheme = 'bcrypt';
    else if (hash.startsWith('{SHA}')) scheme = 'sha1';
    else if (/^\$(apr1|1|5|6|md5|sha1)\$/.test(hash)) throw new HtpasswdError(`${at}: user "${user}" has a ${hash.split('$')[1]} hash; supported: bcrypt (htpasswd -B), {SHA} (htpasswd -s), plain (htpasswd -p)`);
    else if (hash.startsWith('$')) throw new HtpasswdError(`${at}: user "${user}" has an unrecognised hash "${hash.slice(0, 8)}..."`);
    else scheme = 'plain';
    out.push({ user, scheme, hash, line: i + 1 });
  });
  return out;
}

type BcryptCompare = (password: string, hash: string) => Promise<boolean>;

/** bcrypt from the optional `bcryptjs` package, or undefined when it is not installed. */
async function loadBcrypt(): Promise<BcryptCompare | undefined> {
  const name = 'bcryptjs';
  try {
    const mod = (await import(name)) as { compare?: BcryptCompare; default?: { compare?: BcryptCompare } };
    const compare = mod.compare ?? mod.default?.compare;
    return compare ? (pw, hash) => compare(pw, hash.replace(/^\$2y\$/, '$2b$')) : undefined;
  } catch {
    return undefined;
  }
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export class HtpasswdAuthenticator {
  private entries = new Map<string, HtpasswdEntry>();
  private mtimeMs = -1;
  private bcrypt: BcryptCompare | undefined;
  /** Credentials already checked against a bcrypt entry (sha256 of entry + password), so each costs one bcrypt. */
  private verified = new Set<string>();

  private constructor(readonly file: string) {}

  /** Loads the file; throws HtpasswdError naming the file and line on anything it cannot use. */
  static async load(file: string): Promise<HtpasswdAuthenticator> {
    const a = new HtpasswdAuthenticator(file);
    a.bcrypt = await loadBcrypt();
    await a.reload(true);
    return a;
  }

  private async reload(first: boolean): Promise<void> {
    let st;
    try {
      st = await fsp.stat(this.file);
    } catch (e) {
      if (first) throw new HtpasswdError(`htpasswd file ${this.file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
      return; // keep the last good content while the file is being replaced
    }
    if (st.mtimeMs === this.mtimeMs) return;
    try {
      const entries = parseHtpasswd(await fsp.readFile(this.file, 'utf8'), this.file);
      const bcryptUser = entries.find((e) => e.scheme === 'bcrypt');
      if (bcryptUser && !this.bcrypt) {
        throw new HtpasswdError(`${this.file} line ${bcryptUser.line}: user "${bcryptUser.user}" has a bcrypt hash, which needs the bcryptjs npm package (not installed); use {SHA} (htpasswd -s) entries meanwhile`);
      }
      this.entries = new Map(entries.map((e) => [e.user, e]));
      this.verified.clear();
      this.mtimeMs = st.mtimeMs;
    } catch (e) {
      if (first) throw e;
    }
  }

  /** Checks a user and password, re-reading the file first when it changed. */
  async verify(user: string, password: string): Promise<boolean> {
    await this.reload(false);
    const e = this.entries.get(user);
    if (!e) return false;
    switch (e.scheme) {
      case 'plain':
        return safeEqual(Buffer.from(password), Buffer.from(e.hash));
      case 'sha1':
        return safeEqual(Buffer.from(`{SHA}${createHash('sha1').update(password).digest('base64')}`), Buffer.from(e.hash));
      case 'bcrypt': {
        const key = createHash('sha256').update(e.hash).update('\0').update(password).digest('hex');
        if (this.verified.has(key)) return true;
        const ok = this.bcrypt ? await this.bcrypt(password, e.hash) : false;
        if (ok) this.verified.add(key);
        return ok;
      }
    }
  }
}

/** The user and password of an `Authorization: Basic ...` header, or undefined. */
export function parseBasicAuth(header: string | undefined): { user: string; password: string } | undefined {
  if (!header) return undefined;
  const m = /^\s*basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
