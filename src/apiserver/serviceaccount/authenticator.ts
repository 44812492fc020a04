/**
 * Authenticating service-account JWTs, as kube-apiserver's service-account token authenticator does.
 *
 * Order of checks: the token must look like a JWT whose "iss" is one of ours (otherwise the answer is undefined,
 * so that other authenticators may try it); then signature (key picked by "kid"), audience, and the claims:
 * times with one minute of leeway, the ServiceAccount (same uid, not deleted over a minute ago) and the bound
 * Pod, Secret or Node. Legacy Secret tokens (iss "kubernetes/serviceaccount") are valid while their Secret holds
 * exactly that token and the ServiceAccount is unchanged.
 */
import type { UserInfo } from '../authn.js';
import { GROUP_AUTHENTICATED } from '../authn.js';
import { fromBase64url, parseJws, publicKeyFrom, verifyJws } from './jws.js';
import type { TokenVerificationKey } from './keys.js';
import {
  LEGACY_CLAIM_NAMESPACE,
  LEGACY_CLAIM_SA_NAME,
  LEGACY_CLAIM_SA_UID,
  LEGACY_CLAIM_SECRET_NAME,
  LEGACY_ISSUER,
  PRIVATE_CLAIM,
  serviceAccountUsername,
  splitServiceAccountUsername,
} from './token.js';
import type { KeyObject } from 'node:crypto';

/** go-jose's default leeway for exp, nbf and iat. */
export const CLOCK_LEEWAY_SECONDS = 60;

export const GROUP_SERVICE_ACCOUNTS = 'system:serviceaccounts';
export const EXTRA_POD_NAME = 'authentication.kubernetes.io/pod-name';
export const EXTRA_POD_UID = 'authentication.kubernetes.io/pod-uid';
export const EXTRA_NODE_NAME = 'authentication.kubernetes.io/node-name';
export const EXTRA_NODE_UID = 'authentication.kubernetes.io/node-uid';
export const EXTRA_CREDENTIAL_ID = 'authentication.kubernetes.io/credential-id';
/** A legacy Secret token carrying this label is refused (upstream's legacy token clean-up). */
export const LEGACY_TOKEN_INVALID_SINCE_LABEL = 'kubernetes.io/legacy-token-invalid-since';
export const AUDIT_LEGACY_TOKEN = 'authentication.k8s.io/legacy-token';
export const AUDIT_STALE_TOKEN = 'authentication.k8s.io/stale-token';

/** What a lookup says about an object a token names. */
export interface LookedUpObject {
  uid: string;
  deletionTimestamp?: string;
}

export interface LookedUpSecret extends LookedUpObject {
  /** The Secret's data["token"], decoded. */
  token?: string;
  labels?: Record<string, string>;
}

/** Reads of the live objects a token refers to; undefined when the object does not exist. */
export interface ServiceAccountTokenLookup {
  serviceAccount(namespace: string, name: string): Promise<LookedUpObject | undefined>;
  pod(namespace: string, name: string): Promise<LookedUpObject | undefined>;
  secret(namespace: string, name: string): Promise<LookedUpSecret | undefined>;
  /** Nodes are only read for tokens bound directly to a Node; without this such tokens are refused. */
  node?(name: string): Promise<LookedUpObject | undefined>;
}

export interface ServiceAccountUser extends UserInfo {
  uid: string;
  extra?: Record<string, string[]>;
}

export interface ServiceAccountAuthenticated {
  user: ServiceAccountUser;
  /** The token's audiences that were asked for (upstream's Response.Audiences). */
  audiences: string[];
  /** Audit annotations upstream adds for this token (legacy token use, stale token use). */
  auditAnnotations?: Record<string, string>;
}

export type ServiceAccountAuthResult = ServiceAccountAuthenticated | { error: string };

export interface ServiceAccountTokenAuthenticatorOptions {
  /** Public keys tokens may be signed with (the signing key first; older keys while rotating). */
  keys: TokenVerificationKey[] | (() => TokenVerificationKey[]);
  /** Issuers of bound tokens accepted (--service-account-issuer; the first is the one tokens are issued with). */
  issuers: string[];
  /** The API server's own audiences (--api-audiences): asked for when the caller names none, given to tokens without one. */
  apiAudiences: string[];
  lookup: ServiceAccountTokenLookup;
  /** Accept legacy Secret tokens (default true). */
  legacyTokens?: boolean;
}

interface PreparedKey {
  keyId: string;
  key: KeyObject;
}

type Claims = Record<string, unknown>;

export class ServiceAccountTokenAuthenticator {
  private preparedFrom: TokenVerificationKey[] | undefined;
  private prepared: PreparedKey[] = [];

  constructor(private readonly opts: ServiceAccountTokenAuthenticatorOptions) {}

  /**
   * undefined: not a JWT from one of our issuers (let other authenticators try). `{ error }`: ours, but not
   * valid. `audiences` are the audiences the caller accepts (TokenReview's spec.audiences); default the API's.
   */
  async authenticate(token: string, now: Date, audiences?: string[]): Promise<ServiceAccountAuthResult | undefined> {
    const issuer = unverifiedIssuer(token);
    const legacy = issuer === LEGACY_ISSUER && this.opts.legacyTokens !== false;
    if (issuer === undefined || (!legacy && !this.opts.issuers.includes(issuer))) return undefined;
    const jws = parseJws(token);
    if (!jws) return undefined;

    const kid = typeof jws.header.kid === 'string' ? jws.header.kid : '';
    const keys = this.keys().filter((k) => !kid || k.keyId === kid);
    if (keys.length === 0) return { error: 'invalid signature, no keys found' };
    if (!keys.some((k) => verifyJws(jws, k.key))) return { error: 'go-jose/go-jose: error in cryptographic primitive' };

    const claims = jws.payload;
    const shapeError = claimShapeError(claims);
    if (shapeError) return { error: shapeError };

    const annotations: Record<string, string> = {};
    let tokenAudiences = audienceOf(claims.aud);
    if (tokenAudiences.length === 0) {
      // only the API server's audiences are implied for tokens without one (legacy tokens)
      annotations[AUDIT_LEGACY_TOKEN] = typeof claims.sub === 'string' ? claims.sub : '';
      tokenAudiences = this.opts.apiAudiences;
    }
    const requested = audiences && audiences.length > 0 ? audiences : this.opts.apiAudiences;
    const granted = tokenAudiences.filter((a, i) => requested.includes(a) && tokenAudiences.indexOf(a) === i);
    if (granted.length === 0 && this.opts.apiAudiences.length > 0) {
      return { error: `token audiences ${goQuoteList(tokenAudiences)} is invalid for the target audiences ${goQuoteList(requested)}` };
    }

    try {
      const user = legacy ? await this.validateLegacy(token, claims) : await this.validateBound(claims, now, annotations);
      if ('error' in user) return user;
      const result: ServiceAccountAuthenticated = { user, audiences: granted };
      if (Object.keys(annotations).length > 0) result.auditAnnotations = annotations;
      return result;
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) };
    }
  }

  private keys(): PreparedKey[] {
    const keys = typeof this.opts.keys === 'function' ? this.opts.keys() : this.opts.keys;
    if (keys !== this.preparedFrom) {
      this.prepared = keys.map((k) => ({ keyId: k.keyId, key: publicKeyFrom(k.publicKeyPem) }));
      this.preparedFrom = keys;
    }
    return this.prepared;
  }

  private async validateBound(claims: Claims, now: Date, annotations: Record<string, string>): Promise<ServiceAccountUser | { error: string }> {
    const nowMs = now.getTime();
    const leewayMs = CLOCK_LEEWAY_SECONDS * 1000;
    if (typeof claims.nbf === 'number' && nowMs + leewayMs < claims.nbf * 1000) return { error: 'service account token is not valid yet' };
    if (typeof claims.exp === 'number' && nowMs - leewayMs > claims.exp * 1000) return { error: 'service account token has expired' };
    if (typeof claims.iat === 'number' && nowMs + leewayMs < claims.iat * 1000) return { error: 'service account token is issued in the future' };

    const k8s = (claims[PRIVATE_CLAIM] ?? {}) as Record<string, unknown>;
    const namespace = str(k8s.namespace);
    const saRef = refOf(k8s.serviceaccount) ?? { name: '', uid: '' };
    const podRef = refOf(k8s.pod);
    const secretRef = refOf(k8s.secret);
    const nodeRef = refOf(k8s.node);
    // objects whose deletion started more than the leeway ago no longer back a token
    const deletedLongAgo = (o: LookedUpObject): boolean => o.deletionTimestamp !== undefined && Date.parse(o.deletionTimestamp) < nowMs - leewayMs;
    const { lookup } = this.opts;

    const sa = await lookup.serviceAccount(namespace, saRef.name);
    if (!sa) return { error: `serviceaccounts "${saRef.name}" not found` };
    if (deletedLongAgo(sa)) return { error: `service account ${namespace}/${saRef.name} has been deleted` };
    if (sa.uid !== saRef.uid) return { error: `service account UID (${sa.uid}) does not match claim (${saRef.uid})` };

    if (secretRef) {
      const secret = await lookup.secret(namespace, secretRef.name);
      if (!secret || deletedLongAgo(secret)) return { error: 'service account token has been invalidated' };
      if (secret.uid !== secretRef.uid) return { error: `secret UID (${secret.uid}) does not match service account secret ref claim (${secretRef.uid})` };
    }

    const extra: Record<string, string[]> = {};
    if (podRef) {
      const pod = await lookup.pod(namespace, podRef.name);
      if (!pod || deletedLongAgo(pod)) return { error: 'service account token has been invalidated' };
      if (pod.uid !== podRef.uid) return { error: `pod UID (${pod.uid}) does not match service account pod ref claim (${podRef.uid})` };
      if (podRef.name && podRef.uid) {
        extra[EXTRA_POD_NAME] = [podRef.name];
        extra[EXTRA_POD_UID] = [podRef.uid];
      }
    }

    if (nodeRef) {
      if (!podRef) {
        // bound directly to a Node: the Node must still be the same one
        const node = lookup.node ? await lookup.node(nodeRef.name) : undefined;
        if (!node || deletedLongAgo(node)) return { error: 'service account token has been invalidated' };
        if (node.uid !== nodeRef.uid) return { error: `node UID (${node.uid}) does not match service account node ref claim (${nodeRef.uid})` };
      }
      if (nodeRef.name) {
        extra[EXTRA_NODE_NAME] = [nodeRef.name];
        if (nodeRef.uid) extra[EXTRA_NODE_UID] = [nodeRef.uid];
      }
    }

    if (typeof claims.jti === 'string' && claims.jti) extra[EXTRA_CREDENTIAL_ID] = [`JTI=${claims.jti}`];

    const warnAfter = typeof k8s.warnafter === 'number' ? k8s.warnafter : 0;
    if (warnAfter && nowMs > warnAfter * 1000) {
      annotations[AUDIT_STALE_TOKEN] = `subject: ${str(claims.sub)}, seconds after warning threshold: ${Math.floor(nowMs / 1000) - warnAfter}`;
    }
    return serviceAccountUser(namespace, saRef.name, saRef.uid, extra);
  }

  private async validateLegacy(token: string, claims: Claims): Promise<ServiceAccountUser | { error: string }> {
    const sub = str(claims.sub);
    const namespace = str(claims[LEGACY_CLAIM_NAMESPACE]);
    const secretName = str(claims[LEGACY_CLAIM_SECRET_NAME]);
    const saName = str(claims[LEGACY_CLAIM_SA_NAME]);
    const saUid = str(claims[LEGACY_CLAIM_SA_UID]);
    if (!sub) return { error: 'sub claim is missing' };
    if (!namespace) return { error: 'namespace claim is missing' };
    if (!secretName) return { error: 'secretName claim is missing' };
    if (!saName) return { error: 'serviceAccountName claim is missing' };
    if (!saUid) return { error: 'serviceAccountUID claim is missing' };
    const subject = splitServiceAccountUsername(sub);
    if (!subject || subject.namespace !== namespace || subject.name !== saName) return { error: 'sub claim is invalid' };

    const { lookup } = this.opts;
    const secret = await lookup.secret(namespace, secretName);
    if (!secret || secret.deletionTimestamp !== undefined) return { error: 'token has been invalidated' };
    if (secret.token !== token) return { error: "token does not match server's copy" };
    const sa = await lookup.serviceAccount(namespace, saName);
    if (!sa) return { error: `serviceaccounts "${saName}" not found` };
    if (sa.deletionTimestamp !== undefined) return { error: `service account ${namespace}/${saName} has been deleted` };
    if (sa.uid !== saUid) return { error: `service account UID (${sa.uid}) does not match claim (${saUid})` };
    if (secret.labels?.[LEGACY_TOKEN_INVALID_SINCE_LABEL]) {
      return {
        error: `the token in secret ${namespace}/${secretName} for service account ${namespace}/${saName} has been marked invalid. Use tokens from the TokenRequest API or manually created secret-based tokens, or remove the '${LEGACY_TOKEN_INVALID_SINCE_LABEL}' label from the secret to temporarily allow use of this token`,
      };
    }
    return serviceAccountUser(namespace, saName, saUid, {});
  }
}

/** The user a service account authenticates as (upstream's ServiceAccountInfo.UserInfo plus system:authenticated). */
export function serviceAccountUser(namespace: string, name: string, uid: string, extra: Record<string, string[]>): ServiceAccountUser {
  const user: ServiceAccountUser = {
    name: serviceAccountUsername(namespace, name),
    uid,
    groups: [GROUP_SERVICE_ACCOUNTS, `${GROUP_SERVICE_ACCOUNTS}:${namespace}`, GROUP_AUTHENTICATED],
  };
  if (Object.keys(extra).length > 0) user.extra = extra;
  return user;
}

/** "iss" of something shaped like a compact JWS, read without any verification. */
function unverifiedIssuer(token: string): string | undefined {
  if (token.trimStart().startsWith('{')) return undefined;
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const payload = fromBase64url(parts[1]!);
  if (!payload) return undefined;
  try {
    const claims: unknown = JSON.parse(payload.toString('utf8'));
    if (!claims || typeof claims !== 'object') return undefined;
    const iss = (claims as Claims).iss;
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}

/** Registered claims must have their RFC 7519 types, and the private claim must be an object (go-jose decodes them into typed fields). */
function claimShapeError(claims: Claims): string | undefined {
  for (const name of ['exp', 'nbf', 'iat']) {
    const v = claims[name];
    if (v !== undefined && v !== null && typeof v !== 'number') return `json: cannot unmarshal ${jsonTypeName(v)} into Go struct field Claims.${name} of type jwt.NumericDate`;
  }
  for (const name of ['sub', 'jti']) {
    const v = claims[name];
    if (v !== undefined && v !== null && typeof v !== 'string') return `json: cannot unmarshal ${jsonTypeName(v)} into Go struct field Claims.${name} of type string`;
  }
  const aud = claims.aud;
  if (aud !== undefined && aud !== null && typeof aud !== 'string' && !(Array.isArray(aud) && aud.every((a) => typeof a === 'string'))) {
    return 'go-jose/go-jose/jwt: expected string or array value to unmarshal to Audience';
  }
  const k8s = claims[PRIVATE_CLAIM];
  if (k8s !== undefined && k8s !== null && (typeof k8s !== 'object' || Array.isArray(k8s))) return `json: cannot unmarshal ${jsonTypeName(k8s)} into Go struct field privateClaims.kubernetes.io`;
  return undefined;
}

function jsonTypeName(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  return typeof v === 'object' ? 'object' : typeof v;
}

function audienceOf(aud: unknown): string[] {
  if (typeof aud === 'string') return aud ? [aud] : [];
  return Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function refOf(v: unknown): { name: string; uid: string } | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const r = v as Record<string, unknown>;
  return { name: str(r.name), uid: str(r.uid) };
}

/** Go's %q of a []string: ["a" "b"]. */
function goQuoteList(list: string[]): string {
  return `[${list.map((s) => JSON.stringify(s)).join(' ')}]`;
}
