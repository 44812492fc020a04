/**
 * Issuing service-account JWTs with upstream's claim layout.
 *
 * Bound tokens (TokenRequest): iss, sub "system:serviceaccount:NS:NAME", aud (always a list), exp, iat, nbf, jti,
 * and the private claim "kubernetes.io": {namespace, serviceaccount{name,uid}, pod|secret|node{name,uid},
 * warnafter?}. Legacy Secret tokens: iss "kubernetes/serviceaccount", sub, and four flat
 * "kubernetes.io/serviceaccount/..." claims, with no audience and no expiry.
 */
import { randomUUID } from 'node:crypto';
import type { TokenSigningKey } from './keys.js';
import { signJws } from './jws.js';

export const LEGACY_ISSUER = 'kubernetes/serviceaccount';
/** kube-apiserver's usual --service-account-issuer (and so its API audience), as kubeadm sets it. */
export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
export const SERVICE_ACCOUNT_USERNAME_PREFIX = 'system:serviceaccount:';

export const LEGACY_CLAIM_NAMESPACE = 'kubernetes.io/serviceaccount/namespace';
export const LEGACY_CLAIM_SECRET_NAME = 'kubernetes.io/serviceaccount/secret.name';
export const LEGACY_CLAIM_SA_NAME = 'kubernetes.io/serviceaccount/service-account.name';
export const LEGACY_CLAIM_SA_UID = 'kubernetes.io/serviceaccount/service-account.uid';
export const PRIVATE_CLAIM = 'kubernetes.io';

/** A pod-bound token asking for 3607 s gets a year, with "warnafter" at the asked time (upstream's safe rollout). */
export const WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS = 60 * 60 + 7;
export const EXTENDED_EXPIRATION_SECONDS = 24 * 365 * 60 * 60;

export interface ObjectRef {
  name: string;
  uid: string;
}

export type BoundObjectKind = 'Pod' | 'Secret' | 'Node';

export interface BoundTokenClaims {
  issuer: string;
  audiences: string[];
  expirationSeconds: number;
  namespace: string;
  serviceAccount: ObjectRef;
  boundObject?: ObjectRef & { kind: BoundObjectKind };
  /** For a Pod-bound token: the Node the Pod runs on, recorded as upstream does (not checked on use). */
  podNode?: ObjectRef;
  /** Seconds after `now` from which use is reported as stale (the extended-expiration transition); 0/absent: none. */
  warnAfterSeconds?: number;
  /** The token's unique id (jti); a random UUID when absent. */
  jti?: string;
  now: Date;
}

export interface IssuedToken {
  token: string;
  /** RFC 3339, seconds precision: when the token expires. */
  expirationTimestamp: string;
}

/** "system:serviceaccount:NS:NAME" */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_USERNAME_PREFIX}${namespace}:${name}`;
}

/** NS and NAME of a service-account user name, or undefined when it is not one (upstream's SplitUsername). */
export function splitServiceAccountUsername(username: string): { namespace: string; name: string } | undefined {
  if (!username.startsWith(SERVICE_ACCOUNT_USERNAME_PREFIX)) return undefined;
  const parts = username.slice(SERVICE_ACCOUNT_USERNAME_PREFIX.length).split(':');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  return { namespace: parts[0], name: parts[1] };
}

/** Seconds since the epoch, truncated as a JWT NumericDate. */
export function numericDate(t: Date): number {
  return Math.floor(t.getTime() / 1000);
}

/** metav1.Time's JSON: RFC 3339 in UTC with seconds precision. */
export function rfc3339(t: Date): string {
  return new Date(Math.floor(t.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The payload of a bound token (exposed for tests and for whoever wants to see what is signed). */
export function boundTokenPayload(c: BoundTokenClaims): Record<string, unknown> {
  if (!Number.isInteger(c.expirationSeconds) || c.expirationSeconds <= 0) throw new Error(`expirationSeconds must be a positive integer, got ${String(c.expirationSeconds)}`);
  if (c.podNode && c.boundObject?.kind !== 'Pod') throw new Error('podNode applies only to a token bound to a Pod');
  const now = numericDate(c.now);
  const k8s: Record<string, unknown> = {
    namespace: c.namespace,
    serviceaccount: ref(c.serviceAccount),
  };
  if (c.boundObject) k8s[c.boundObject.kind.toLowerCase()] = ref(c.boundObject);
  if (c.podNode) k8s.node = ref(c.podNode);
  if (c.warnAfterSeconds) k8s.warnafter = now + c.warnAfterSeconds;
  return {
    iss: c.issuer,
    sub: serviceAccountUsername(c.namespace, c.serviceAccount.name),
    aud: [...c.audiences],
    exp: now + c.expirationSeconds,
    iat: now,
    nbf: now,
    jti: c.jti ?? randomUUID(),
    [PRIVATE_CLAIM]: k8s,
  };
}

function ref(r: ObjectRef): Record<string, string> {
  // upstream omits empty name/uid
  const out: Record<string, string> = {};
  if (r.name) out.name = r.name;
  if (r.uid) out.uid = r.uid;
  return out;
}

/** A bound service-account token (what TokenRequest returns), signed with `key` and carrying its key id. */
export function issueBoundToken(key: TokenSigningKey, claims: BoundTokenClaims): IssuedToken {
  const payload = boundTokenPayload(claims);
  return { token: signJws(payload, key.privateKeyPem, key.keyId), expirationTimestamp: rfc3339(new Date((payload.exp as number) * 1000)) };
}

export interface LegacyTokenClaims {
  namespace: string;
  secretName: string;
  serviceAccount: ObjectRef;
}

export function legacyTokenPayload(c: LegacyTokenClaims): Record<string, unknown> {
  return {
    iss: LEGACY_ISSUER,
    sub: serviceAccountUsername(c.namespace, c.serviceAccount.name),
    [LEGACY_CLAIM_NAMESPACE]: c.namespace,
    [LEGACY_CLAIM_SECRET_NAME]: c.secretName,
    [LEGACY_CLAIM_SA_NAME]: c.serviceAccount.name,
    [LEGACY_CLAIM_SA_UID]: c.serviceAccount.uid,
  };
}

/** A legacy token for a `kubernetes.io/service-account-token` Secret (no audience, no expiry). */
export function issueLegacyToken(key: TokenSigningKey, claims: LegacyTokenClaims): string {
  return signJws(legacyTokenPayload(claims), key.privateKeyPem, key.keyId);
}
