/**
 * The serviceaccounts/token subresource: an authentication.k8s.io/v1 TokenRequest in, the same request with
 * status {token, expirationTimestamp} out, as kube-apiserver's TokenREST.Create.
 *
 * Body → defaults (audiences: the API audiences; expirationSeconds: 3600) → validation (422: metadata.name /
 * metadata.namespace must match the ServiceAccount, 600 ≤ spec.expirationSeconds ≤ 2^32) → the bound object
 * (Pod, Secret or Node of the core group; 404 when missing, 400 for other kinds or a Pod of another
 * ServiceAccount, 409 when its uid differs from spec.boundObjectRef.uid) → --service-account-max-token-expiration
 * (shortened with a warning) → the signed token.
 */
import { randomUUID } from 'node:crypto';
import { badRequest, conflict, fieldError, internalError, invalid, notFound } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/types.js';
import type { TokenSigningKey } from './keys.js';
import { EXTENDED_EXPIRATION_SECONDS, issueBoundToken, rfc3339, WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS, type BoundObjectKind, type ObjectRef } from './token.js';

export const AUTHENTICATION_GROUP = 'authentication.k8s.io';
export const TOKEN_REQUEST_API_VERSION = 'authentication.k8s.io/v1';
export const DEFAULT_EXPIRATION_SECONDS = 60 * 60;
export const MIN_EXPIRATION_SECONDS = 10 * 60;
export const MAX_EXPIRATION_SECONDS = 2 ** 32;
/** Audit annotation naming the credential id of a token just issued. */
export const AUDIT_ISSUED_CREDENTIAL_ID = 'authentication.kubernetes.io/issued-credential-id';

export interface BoundObjectReference {
  kind?: string;
  apiVersion?: string;
  name?: string;
  uid?: string;
}

export interface TokenRequest {
  apiVersion: typeof TOKEN_REQUEST_API_VERSION;
  kind: 'TokenRequest';
  metadata: { name: string; namespace: string; creationTimestamp: string; [key: string]: unknown };
  spec: { audiences: string[]; expirationSeconds: number; boundObjectRef?: BoundObjectReference };
  status: { token: string; expirationTimestamp: string };
}

/** Reads of the objects a token can be bound to; undefined when missing. */
export interface BoundObjectLookup {
  pod(namespace: string, name: string): Promise<KubeObject | undefined>;
  secret(namespace: string, name: string): Promise<KubeObject | undefined>;
  node(name: string): Promise<KubeObject | undefined>;
}

export interface TokenRequestOptions {
  key: TokenSigningKey;
  /** --service-account-issuer (the first one). */
  issuer: string;
  /** --api-audiences: spec.audiences when the request names none. */
  defaultAudiences: string[];
  now: Date;
  /** --service-account-max-token-expiration: longer requests are shortened to this, with a warning. */
  maxExpirationSeconds?: number;
  /**
   * --service-account-extend-token-expiration: a Pod-bound token for the API audiences asking for exactly 3607 s
   * lives a year and is reported stale after 3607 s.
   */
  extendExpiration?: boolean;
  /** Receives warnings for the Warning response header. */
  warn?: (message: string) => void;
  /** Receives audit annotations (the issued token's credential id). */
  annotate?: (key: string, value: string) => void;
  /** The token id (tests); a random UUID when absent. */
  jti?: string;
}

/** Handle POST .../namespaces/NS/serviceaccounts/NAME/token for the ServiceAccount `sa` (already read; 404 is the caller's). */
export async function tokenRequestFor(body: unknown, sa: KubeObject, opts: TokenRequestOptions, boundLookup: BoundObjectLookup): Promise<TokenRequest> {
  const saName = sa.metadata?.name ?? '';
  const namespace = sa.metadata?.namespace ?? '';
  const req = decodeTokenRequest(body);

  if (req.name && req.name !== saName) {
    throw invalid('TokenRequest', AUTHENTICATION_GROUP, saName, [fieldError.invalid('metadata.name', req.name, 'must match the service account name if specified')]);
  }
  if (req.namespace && req.namespace !== namespace) {
    throw invalid('TokenRequest', AUTHENTICATION_GROUP, saName, [fieldError.invalid('metadata.namespace', req.namespace, 'must match the service account namespace if specified')]);
  }
  const audiences = req.audiences && req.audiences.length > 0 ? req.audiences : [...opts.defaultAudiences];
  const requestedSeconds = req.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS;
  const causes = [];
  if (requestedSeconds < MIN_EXPIRATION_SECONDS) causes.push(fieldError.invalid('spec.expirationSeconds', requestedSeconds, 'may not specify a duration less than 10 minutes'));
  if (requestedSeconds > MAX_EXPIRATION_SECONDS) causes.push(fieldError.invalid('spec.expirationSeconds', requestedSeconds, 'may not specify a duration larger than 2^32 seconds'));
  if (causes.length > 0) throw invalid('TokenRequest', AUTHENTICATION_GROUP, '', causes);

  const bound = req.boundObjectRef ? await resolveBoundObject(req.boundObjectRef, saName, namespace, boundLookup) : undefined;

  let expirationSeconds = requestedSeconds;
  const max = opts.maxExpirationSeconds ?? 0;
  if (max > 0 && expirationSeconds > max) {
    opts.warn?.(`requested expiration of ${expirationSeconds} seconds shortened to ${max} seconds`);
    expirationSeconds = max;
  }
  let tokenSeconds = expirationSeconds;
  let warnAfterSeconds = 0;
  const forApiAudiences = audiences.length > 0 && audiences.every((a) => opts.defaultAudiences.includes(a));
  if (opts.extendExpiration && bound?.kind === 'Pod' && expirationSeconds === WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS && forApiAudiences) {
    warnAfterSeconds = expirationSeconds;
    tokenSeconds = EXTENDED_EXPIRATION_SECONDS;
  }

  const jti = opts.jti ?? randomUUID();
  const issued = issueBoundToken(opts.key, {
    issuer: opts.issuer,
    audiences,
    expirationSeconds: tokenSeconds,
    namespace,
    serviceAccount: { name: saName, uid: sa.metadata?.uid ?? '' },
    boundObject: bound ? { kind: bound.kind, name: bound.name, uid: bound.uid } : undefined,
    podNode: bound?.node,
    warnAfterSeconds,
    jti,
    now: opts.now,
  });
  opts.annotate?.(AUDIT_ISSUED_CREDENTIAL_ID, `JTI=${jti}`);

  const spec: TokenRequest['spec'] = { audiences, expirationSeconds };
  if (req.boundObjectRef) spec.boundObjectRef = req.boundObjectRef;
  return {
    apiVersion: TOKEN_REQUEST_API_VERSION,
    kind: 'TokenRequest',
    metadata: { ...req.metadata, name: saName, namespace, creationTimestamp: rfc3339(opts.now) },
    spec,
    status: { token: issued.token, expirationTimestamp: rfc3339(new Date(opts.now.getTime() + expirationSeconds * 1000)) },
  };
}

interface DecodedTokenRequest {
  metadata: Record<string, unknown>;
  name?: string;
  namespace?: string;
  audiences?: string[];
  expirationSeconds?: number;
  boundObjectRef?: BoundObjectReference;
}

/** What the body says, with JSON types checked as Go's decoder would (400 on a wrong type). */
function decodeTokenRequest(body: unknown): DecodedTokenRequest {
  if (body === undefined || body === null) return { metadata: {} };
  if (typeof body !== 'object' || Array.isArray(body)) throw decodeError(`json: cannot unmarshal ${jsonType(body)} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`);
  const b = body as Record<string, unknown>;
  if (b.kind !== undefined && b.kind !== '' && b.kind !== 'TokenRequest') throw badRequest(`TokenRequest in version "v1" cannot be handled as a TokenRequest: the kind "${String(b.kind)}" does not match the expected kind TokenRequest`);
  if (b.apiVersion !== undefined && b.apiVersion !== '' && b.apiVersion !== TOKEN_REQUEST_API_VERSION) {
    throw badRequest(`TokenRequest in version "v1" cannot be handled as a TokenRequest: the API version "${String(b.apiVersion)}" does not match the expected API version ${TOKEN_REQUEST_API_VERSION}`);
  }
  const metadata = optionalObject(b.metadata, 'TokenRequest.metadata', 'v1.ObjectMeta') ?? {};
  const name = optionalString(metadata.name, 'TokenRequest.metadata.name');
  const namespace = optionalString(metadata.namespace, 'TokenRequest.metadata.namespace');
  const spec = optionalObject(b.spec, 'TokenRequest.spec', 'v1.TokenRequestSpec') ?? {};
  let audiences: string[] | undefined;
  if (spec.audiences !== undefined && spec.audiences !== null) {
    if (!Array.isArray(spec.audiences)) throw decodeError(`json: cannot unmarshal ${jsonType(spec.audiences)} into Go struct field TokenRequestSpec.spec.audiences of type []string`);
    audiences = spec.audiences.map((a) => {
      if (typeof a !== 'string') throw decodeError(`json: cannot unmarshal ${jsonType(a)} into Go struct field TokenRequestSpec.spec.audiences of type string`);
      return a;
    });
  }
  let expirationSeconds: number | undefined;
  if (spec.expirationSeconds !== undefined && spec.expirationSeconds !== null) {
    const v = spec.expirationSeconds;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw decodeError(`json: cannot unmarshal ${typeof v === 'number' ? 'number ' + String(v) : jsonType(v)} into Go struct field TokenRequestSpec.spec.expirationSeconds of type int64`);
    expirationSeconds = v;
  }
  let boundObjectRef: BoundObjectReference | undefined;
  const rawRef = optionalObject(spec.boundObjectRef, 'TokenRequestSpec.spec.boundObjectRef', 'v1.BoundObjectReference');
  if (rawRef) {
    boundObjectRef = {};
    for (const field of ['kind', 'apiVersion', 'name', 'uid'] as const) {
      const v = optionalString(rawRef[field], `BoundObjectReference.spec.boundObjectRef.${field}`);
      if (v !== undefined) boundObjectRef[field] = v;
    }
  }
  return { metadata, name, namespace, audiences, expirationSeconds, boundObjectRef };
}

interface ResolvedBoundObject extends ObjectRef {
  kind: BoundObjectKind;
  /** The Node a bound Pod runs on, when it is scheduled (uid '' when that Node no longer exists). */
  node?: ObjectRef;
}

async function resolveBoundObject(ref: BoundObjectReference, saName: string, namespace: string, lookup: BoundObjectLookup): Promise<ResolvedBoundObject> {
  const apiVersion = ref.apiVersion ?? '';
  const kind = ref.kind ?? '';
  const slash = apiVersion.indexOf('/');
  const group = slash >= 0 ? apiVersion.slice(0, slash) : '';
  const version = slash >= 0 ? apiVersion.slice(slash + 1) : apiVersion;
  const name = ref.name ?? '';
  let object: KubeObject | undefined;
  let resolved: ResolvedBoundObject;
  if (group === '' && kind === 'Pod') {
    object = await lookup.pod(namespace, name);
    if (!object) throw notFound('pods', '', name);
    const spec = (object.spec ?? {}) as { serviceAccountName?: unknown; nodeName?: unknown };
    // the ServiceAccount admission plugin gives every Pod one ("default" when none is named)
    const podServiceAccount = typeof spec.serviceAccountName === 'string' && spec.serviceAccountName ? spec.serviceAccountName : 'default';
    if (podServiceAccount !== saName) throw badRequest(`cannot bind token for serviceaccount "${saName}" to pod running with different serviceaccount name.`);
    resolved = { kind, name, uid: object.metadata?.uid ?? '' };
    if (typeof spec.nodeName === 'string' && spec.nodeName) {
      // the Pod's Node is recorded too; one that no longer exists still leaves its name (without a uid)
      let node: KubeObject | undefined;
      try {
        node = await lookup.node(spec.nodeName);
      } catch (err) {
        throw internalError(err instanceof Error ? err.message : String(err));
      }
      resolved.node = { name: spec.nodeName, uid: node?.metadata?.uid ?? '' };
    }
  } else if (group === '' && kind === 'Node') {
    object = await lookup.node(name);
    if (!object) throw notFound('nodes', '', name);
    resolved = { kind, name, uid: object.metadata?.uid ?? '' };
  } else if (group === '' && kind === 'Secret') {
    object = await lookup.secret(namespace, name);
    if (!object) throw notFound('secrets', '', name);
    resolved = { kind, name, uid: object.metadata?.uid ?? '' };
  } else {
    throw badRequest(`cannot bind token to object of type ${group}/${version}, Kind=${kind}`);
  }
  if (ref.uid && ref.uid !== resolved.uid) {
    throw conflict(kind, '', name, `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
  }
  return resolved;
}

function decodeError(detail: string) {
  return badRequest(`TokenRequest in version "v1" cannot be handled as a TokenRequest: ${detail}`);
}

function optionalObject(v: unknown, field: string, goType: string): Record<string, unknown> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw decodeError(`json: cannot unmarshal ${jsonType(v)} into Go struct field ${field} of type ${goType}`);
  return v as Record<string, unknown>;
}

function optionalString(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw decodeError(`json: cannot unmarshal ${jsonType(v)} into Go struct field ${field} of type string`);
  return v;
}

function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'object' : typeof v;
}
