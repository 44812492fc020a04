/**
 * Request authentication, as kube-apiserver does it:
 *  1. a client certificate verified against the cluster CA (user = CN, groups = O),
 *  2. a static bearer token (kube-apiserver's --token-auth-file CSV format),
 *  3. otherwise anonymous, which only a few public paths accept.
 * Every authenticated user also gets the group "system:authenticated".
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { unauthorized } from '../apimachinery/errors.js';
import { parseClientIdentity } from './pki.js';

export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
  /** Extra attributes an authenticator adds (e.g. a ServiceAccount token's pod name and credential id). */
  extra?: Record<string, string[]>;
}

export const GROUP_AUTHENTICATED = 'system:authenticated';
export const GROUP_UNAUTHENTICATED = 'system:unauthenticated';
export const USER_ANONYMOUS = 'system:anonymous';

/** Static tokens: token → user. */
export type TokenMap = Map<string, UserInfo>;

interface CsvRecord {
  /** 1-based line where the record starts. */
  line: number;
  fields: string[];
}

/**
 * Minimal RFC 4180 reader with Go encoding/csv's settings as kube-apiserver uses them:
 * `#` comment lines, blank lines skipped, leading spaces of fields trimmed, quoted fields
 * (with "" escapes, possibly spanning lines), variable field counts.
 */
function readCsv(text: string, source: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const src = text.replace(/^\uFEFF/, '');
  let i = 0;
  let line = 1;
  const n = src.length;
  while (i < n) {
    const startLine = line;
    // Comment or blank line.
    let eol = src.indexOf('\n', i);
    if (eol < 0) eol = n;
    if (src[i] === '#' || /^[ \t]*\r?$/.test(src.slice(i, eol))) {
      i = eol + 1;
      line++;
      continue;
    }
    const fields: string[] = [];
    let endOfRecord = false;
    while (!endOfRecord) {
      while (i < n && (src[i] === ' ' || src[i] === '\t')) i++;
      let field = '';
      if (src[i] === '"') {
        i++;
        let closed = false;
        while (i < n) {
          const c = src[i]!;
          if (c === '"') {
            if (src[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            closed = true;
            break;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
        if (!closed) throw new Error(`${source}:${startLine}: unterminated quoted field`);
        if (i < n && src[i] !== ',' && src[i] !== '\n' && !(src[i] === '\r' && src[i + 1] === '\n')) {
          throw new Error(`${source}:${line}: unexpected character ${JSON.stringify(src[i])} after closing quote`);
        }
      } else {
        while (i < n && src[i] !== ',' && src[i] !== '\n') {
          if (src[i] === '"') throw new Error(`${source}:${line}: bare " in unquoted field (quote the whole field, e.g. "group1,group2")`);
          field += src[i];
          i++;
        }
        field = field.replace(/\r$/, '');
      }
      fields.push(field);
      if (i >= n) {
        endOfRecord = true;
      } else if (src[i] === ',') {
        i++;
      } else {
        // "\r\n" or "\n"
        if (src[i] === '\r') i++;
        i++;
        line++;
        endOfRecord = true;
      }
    }
    records.push({ line: startLine, fields });
  }
  return records;
}

/**
 * Parse kube-apiserver's static token file format: `token,user,uid[,"group1,group2"]`.
 * Lines starting with `#` and blank lines are ignored. `source` names the input in errors.
 */
export function parseTokenCsv(text: string, source = 'token file'): TokenMap {
  const tokens: TokenMap = new Map();
  for (const { line, fields } of readCsv(text, source)) {
    const where = `${source}:${line}`;
    if (fields.length < 3) {
      throw new Error(`${where}: expected at least 3 columns (token,user,uid[,"group1,group2"]), found ${fields.length}`);
    }
    if (fields.length > 4) {
      throw new Error(`${where}: expected at most 4 columns (token,user,uid[,"group1,group2"]), found ${fields.length}; quote the group list`);
    }
    const [token, name, uid, groupList] = fields.map((f) => f.trim()) as [string, string, string, string | undefined];
    if (!token) throw new Error(`${where}: empty token`);
    if (/\s/.test(token)) throw new Error(`${where}: token must not contain whitespace`);
    if (!name) throw new Error(`${where}: empty user name`);
    if (tokens.has(token)) throw new Error(`${where}: duplicate token (already used by user "${tokens.get(token)!.name}")`);
    const groups = (groupList ?? '')
      .split(',')
      .map((g) => g.trim())
      .filter((g) => g !== '');
    const user: UserInfo = { name, groups: [...new Set(groups)] };
    if (uid) user.uid = uid;
    tokens.set(token, user);
  }
  return tokens;
}

/** Read a static token CSV file (see parseTokenCsv). */
export function loadTokenFile(path: string): TokenMap {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read token file ${path}: ${(err as Error).message}`);
  }
  return parseTokenCsv(text, path);
}

export function withAuthenticatedGroup(user: UserInfo): UserInfo {
  const groups = user.groups.includes(GROUP_AUTHENTICATED) ? [...user.groups] : [...user.groups, GROUP_AUTHENTICATED];
  const out: UserInfo = { name: user.name, groups };
  if (user.uid !== undefined) out.uid = user.uid;
  return out;
}

/** The bearer token from `Authorization: Bearer <token>` (scheme case-insensitive), if any. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const parts = header.trim().split(/\s+/);
  if (parts.length < 2 || parts[0]!.toLowerCase() !== 'bearer' || !parts[1]) return undefined;
  return parts[1];
}

/** Identities already read from a connection's certificate (a TLS session's peer never changes). */
const certUsers = new WeakMap<object, UserInfo | null>();

/** The identity of a client certificate the TLS layer verified against the server's CA, if any. */
export function certificateUser(req: IncomingMessage): UserInfo | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  if (socket.authorized !== true || typeof socket.getPeerCertificate !== 'function') return undefined;
  const cached = certUsers.get(socket);
  if (cached !== undefined) return cached ? { ...cached, groups: [...cached.groups] } : undefined;
  const peer = socket.getPeerCertificate();
  let user: UserInfo | null = null;
  if (peer && Object.keys(peer).length > 0) {
    const id = parseClientIdentity(peer);
    // kube-apiserver refuses certificates without a common name.
    if (id.user) user = withAuthenticatedGroup({ name: id.user, groups: id.groups });
  }
  certUsers.set(socket, user);
  return user ? { ...user, groups: [...user.groups] } : undefined;
}

/**
 * Authenticate a request. The HTTPS server must be created with
 * `{ requestCert: true, rejectUnauthorized: false, ca: <cluster CA> }` (see clientCertServerOptions)
 * so that `socket.authorized` reports whether the presented certificate chains to the CA.
 * A verified client certificate wins; otherwise a known bearer token; otherwise undefined.
 */
export function authenticate(req: IncomingMessage, tokens: TokenMap): UserInfo | undefined {
  const fromCert = certificateUser(req);
  if (fromCert) return fromCert;
  const token = bearerToken(req);
  if (token !== undefined) {
    const user = tokens.get(token);
    if (user) return withAuthenticatedGroup(user);
  }
  return undefined;
}

/** The user anonymous requests run as. */
export function anonymousUser(): UserInfo {
  return { name: USER_ANONYMOUS, groups: [GROUP_UNAUTHENTICATED] };
}

const ANONYMOUS_PATHS = ['/healthz', '/readyz', '/livez', '/version'];

/** Paths that anonymous clients may read: /healthz, /readyz, /livez, /version and their sub-paths. Query strings are ignored. */
export function isAnonymousAllowedPath(path: string): boolean {
  let p = path;
  const q = p.search(/[?#]/);
  if (q >= 0) p = p.slice(0, q);
  return ANONYMOUS_PATHS.some((base) => p === base || p.startsWith(base + '/'));
}

/**
 * authenticate(), then apply kube-apiserver's policy: an unauthenticated request to an anonymous
 * path runs as system:anonymous; anything else — including a request that presented a bearer
 * token nobody knows — is rejected with a 401 StatusError.
 */
export function authenticateRequest(req: IncomingMessage, tokens: TokenMap): UserInfo {
  const user = authenticate(req, tokens);
  if (user) return user;
  if (bearerToken(req) === undefined && isAnonymousAllowedPath(req.url ?? '/')) return anonymousUser();
  throw unauthorized();
}

/** TLS server options that make client certificates optional but verified against `caPem`. */
export function clientCertServerOptions(caPem: string): { requestCert: true; rejectUnauthorized: false; ca: string } {
  return { requestCert: true, rejectUnauthorized: false, ca: caPem };
}
