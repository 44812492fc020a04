/**
 * JWS compact serialization (RFC 7515) for the algorithms kube-apiserver signs service-account tokens with:
 * RS256 for RSA keys, ES256/ES384/ES512 for ECDSA P-256/P-384/P-521 keys. Only node:crypto is used.
 */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

export type JwsAlgorithm = 'RS256' | 'ES256' | 'ES384' | 'ES512';

/** The protected header a token carries. */
export interface JwsHeader {
  alg: string;
  kid?: string;
  [name: string]: unknown;
}

/** A compact JWS split into its parts; nothing in it is verified yet. */
export interface ParsedJws {
  header: JwsHeader;
  payload: Record<string, unknown>;
  /** `BASE64URL(header) "." BASE64URL(payload)`: the bytes the signature covers. */
  signingInput: string;
  signature: Buffer;
}

const HASH: Record<JwsAlgorithm, string> = { RS256: 'sha256', ES256: 'sha256', ES384: 'sha384', ES512: 'sha512' };
const CURVE_ALGORITHM: Record<string, JwsAlgorithm> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' };
/** Byte length of r and of s in an ECDSA signature, per algorithm. */
const EC_HALF: Record<string, number> = { ES256: 32, ES384: 48, ES512: 66 };

export function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** Strict base64url decoding (no padding, no other alphabet); undefined when the text is not base64url. */
export function fromBase64url(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  return Buffer.from(text, 'base64url');
}

/** The algorithm a key signs with, as upstream picks it (RSA: RS256; ECDSA: by curve). */
export function algorithmForKey(key: KeyObject): JwsAlgorithm {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve ?? '';
    const alg = CURVE_ALGORITHM[curve];
    if (alg) return alg;
    throw new Error(`unsupported ECDSA curve ${JSON.stringify(curve)}; must be P-256, P-384 or P-521`);
  }
  throw new Error(`unsupported key type ${JSON.stringify(key.asymmetricKeyType)}; must be RSA or ECDSA`);
}

/**
 * JSON with object keys in sorted order at every level, as go-jose writes claims (it builds a map and Go's
 * encoding/json sorts map keys); the layout of our tokens then matches kube-apiserver's byte for byte.
 */
export function sortedJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** Sign `payload` with a PEM private key; the header names the algorithm and, when given, the key id. */
export function signJws(payload: Record<string, unknown>, privateKeyPem: string, keyId?: string): string {
  const key = createPrivateKey(privateKeyPem);
  const alg = algorithmForKey(key);
  const header: JwsHeader = keyId ? { alg, kid: keyId } : { alg };
  const signingInput = `${base64url(sortedJson(header))}.${base64url(sortedJson(payload))}`;
  const signature = sign(HASH[alg], Buffer.from(signingInput), alg === 'RS256' ? key : { key, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${base64url(signature)}`;
}

/** Split a compact JWS; undefined when it is not one (wrong part count, bad base64url, JSON that is not an object). */
export function parseJws(token: string): ParsedJws | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [h, p, s] = parts as [string, string, string];
  const headerBytes = fromBase64url(h);
  const payloadBytes = fromBase64url(p);
  const signature = fromBase64url(s);
  if (!headerBytes || !payloadBytes || !signature) return undefined;
  const header = parseObject(headerBytes);
  const payload = parseObject(payloadBytes);
  if (!header || !payload || typeof header.alg !== 'string') return undefined;
  return { header: header as JwsHeader, payload, signingInput: `${h}.${p}`, signature };
}

function parseObject(bytes: Buffer): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(bytes.toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Check a parsed JWS's signature with a public key. The header's algorithm must be the one the key signs with
 * (so neither "none" nor an HMAC or cross-family algorithm is ever honoured).
 */
export function verifyJws(jws: ParsedJws, publicKey: KeyObject): boolean {
  let alg: JwsAlgorithm;
  try {
    alg = algorithmForKey(publicKey);
  } catch {
    return false;
  }
  if (jws.header.alg !== alg) return false;
  if (alg !== 'RS256' && jws.signature.length !== 2 * EC_HALF[alg]!) return false;
  try {
    return verify(HASH[alg], Buffer.from(jws.signingInput), alg === 'RS256' ? publicKey : { key: publicKey, dsaEncoding: 'ieee-p1363' }, jws.signature);
  } catch {
    return false;
  }
}

/** A public KeyObject from a PEM public key, certificate or private key. */
export function publicKeyFrom(pem: string): KeyObject {
  return createPublicKey(pem);
}
