/**
 * User impersonation, as kube-apiserver's impersonation filter does it (`kubectl --as`, `--as-group`, `--as-uid`,
 * `--as-user-extra`): the Impersonate-User, Impersonate-Uid, Impersonate-Group and Impersonate-Extra-<key> headers
 * name who the request should run as. Each named attribute is authorized for the requesting user with verb
 * `impersonate` (users, serviceaccounts, groups in the core group; uids and userextras/<key> in
 * authentication.k8s.io); when all are allowed the request proceeds as the new user.
 *
 * Pure: headers, the requester and an authorize function in, the new user (or the refusal) out.
 */
import { StatusError, badRequest } from '../apimachinery/errors.js';
import { dns1123LabelErrors, dns1123SubdomainErrors } from '../apimachinery/validation.js';
import { GROUP_AUTHENTICATED, GROUP_UNAUTHENTICATED, USER_ANONYMOUS, type UserInfo } from './authn.js';
import type { AuthzAttributes, AuthzDecision } from './authz/attributes.js';
import { forbiddenError } from './authorization.js';
import { serviceAccountUsername, splitServiceAccountUsername } from './serviceaccount/token.js';

export const IMPERSONATE_USER_HEADER = 'impersonate-user';
export const IMPERSONATE_UID_HEADER = 'impersonate-uid';
export const IMPERSONATE_GROUP_HEADER = 'impersonate-group';
/** Followed by the (percent-encoded) extra key. */
export const IMPERSONATE_EXTRA_HEADER_PREFIX = 'impersonate-extra-';

const AUTHENTICATION_GROUP = 'authentication.k8s.io';
const AUTHENTICATION_VERSION = 'v1';
const GROUP_SERVICE_ACCOUNTS = 'system:serviceaccounts';
const GROUP_SERVICE_ACCOUNTS_PREFIX = 'system:serviceaccounts:';

/** Request headers by lower-case name, each with every value sent (Node's `req.headersDistinct`). */
export type DistinctHeaders = Readonly<Record<string, readonly string[] | undefined>>;

/** One attribute the requester asks to take on; each is authorized separately. */
export type ImpersonationRequest =
  | { kind: 'User'; name: string }
  | { kind: 'ServiceAccount'; namespace: string; name: string }
  | { kind: 'Group'; name: string }
  | { kind: 'UserExtra'; key: string; value: string }
  | { kind: 'UID'; uid: string };

export type AuthorizeFn = (a: AuthzAttributes) => AuthzDecision | Promise<AuthzDecision>;

/** Whether a (lower-case) header name is one of the impersonation headers. */
export function isImpersonationHeader(name: string): boolean {
  const n = name.toLowerCase();
  return n === IMPERSONATE_USER_HEADER || n === IMPERSONATE_UID_HEADER || n === IMPERSONATE_GROUP_HEADER || n.startsWith(IMPERSONATE_EXTRA_HEADER_PREFIX);
}

/** NS and NAME of `system:serviceaccount:NS:NAME` when both are valid names (upstream's SplitUsername), else undefined. */
export function serviceAccountOf(username: string): { namespace: string; name: string } | undefined {
  const sa = splitServiceAccountUsername(username);
  if (!sa) return undefined;
  if (dns1123LabelErrors(sa.namespace).length > 0 || dns1123SubdomainErrors(sa.name).length > 0) return undefined;
  return sa;
}

/** An extra key as sent in a header name: lower-cased, then percent-decoded (kept as is when that fails). */
export function extraKeyOf(encoded: string): string {
  const lower = encoded.toLowerCase();
  try {
    return decodeURIComponent(lower);
  } catch {
    return lower;
  }
}

/**
 * What the headers ask to impersonate, in upstream's order: the user (or service account), groups, extras, uid.
 * Throws a 400 when groups, extras or a uid are asked for without a user.
 */
export function impersonationRequests(headers: DistinctHeaders): ImpersonationRequest[] {
  const out: ImpersonationRequest[] = [];
  const user = headers[IMPERSONATE_USER_HEADER]?.[0] ?? '';
  if (user !== '') {
    const sa = serviceAccountOf(user);
    out.push(sa ? { kind: 'ServiceAccount', namespace: sa.namespace, name: sa.name } : { kind: 'User', name: user });
  }
  let others = false;
  for (const group of headers[IMPERSONATE_GROUP_HEADER] ?? []) {
    others = true;
    out.push({ kind: 'Group', name: group });
  }
  for (const [name, values] of Object.entries(headers)) {
    if (!name.toLowerCase().startsWith(IMPERSONATE_EXTRA_HEADER_PREFIX) || !values) continue;
    others = true;
    const key = extraKeyOf(name.slice(IMPERSONATE_EXTRA_HEADER_PREFIX.length));
    for (const value of values) out.push({ kind: 'UserExtra', key, value });
  }
  const uid = headers[IMPERSONATE_UID_HEADER]?.[0] ?? '';
  if (uid !== '') {
    others = true;
    out.push({ kind: 'UID', uid });
  }
  if (others && user === '') throw badRequest(`requested ${goObjectReferences(out)} without impersonating a user`);
  return out;
}

/** The attributes authorized for one impersonation request: verb `impersonate` by the requester. */
export function impersonationAttributes(requester: UserInfo, r: ImpersonationRequest): AuthzAttributes {
  const base = { user: requester, verb: 'impersonate', resourceRequest: true } as const;
  switch (r.kind) {
    case 'User':
      return { ...base, apiGroup: '', apiVersion: '', resource: 'users', name: r.name };
    case 'ServiceAccount':
      return { ...base, apiGroup: '', apiVersion: '', resource: 'serviceaccounts', namespace: r.namespace, name: r.name };
    case 'Group':
      return { ...base, apiGroup: '', apiVersion: '', resource: 'groups', name: r.name };
    case 'UserExtra':
      return { ...base, apiGroup: AUTHENTICATION_GROUP, apiVersion: AUTHENTICATION_VERSION, resource: 'userextras', subresource: r.key, name: r.value };
    case 'UID':
      return { ...base, apiGroup: AUTHENTICATION_GROUP, apiVersion: AUTHENTICATION_VERSION, resource: 'uids', name: r.uid };
  }
}

/**
 * The user a request runs as: undefined when it asks for no impersonation; the impersonated user when the requester
 * may take on every attribute asked for; otherwise the refusal (400 for a malformed request, 403 naming the first
 * attribute refused, as upstream).
 */
export async function impersonate(headers: DistinctHeaders, requester: UserInfo, authorize: AuthorizeFn): Promise<UserInfo | StatusError | undefined> {
  let requests: ImpersonationRequest[];
  try {
    requests = impersonationRequests(headers);
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
  if (requests.length === 0) return undefined;
  // Groups given in headers are the whole truth; without them a service account gets its fixed groups.
  const groupsGiven = (headers[IMPERSONATE_GROUP_HEADER]?.length ?? 0) > 0;
  let name = '';
  let uid = '';
  let groups: string[] = [];
  // No prototype: an extra key such as __proto__ or constructor is just a key.
  const extra: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const r of requests) {
    const attrs = impersonationAttributes(requester, r);
    let decision: AuthzDecision;
    try {
      decision = await authorize(attrs);
    } catch {
      decision = { allowed: false, reason: '' };
    }
    if (!decision.allowed) return forbiddenError(attrs, decision.reason);
    switch (r.kind) {
      case 'User':
        name = r.name;
        break;
      case 'ServiceAccount':
        name = serviceAccountUsername(r.namespace, r.name);
        if (!groupsGiven) groups = [GROUP_SERVICE_ACCOUNTS, GROUP_SERVICE_ACCOUNTS_PREFIX + r.namespace];
        break;
      case 'Group':
        groups.push(r.name);
        break;
      case 'UserExtra':
        (extra[r.key] ??= []).push(r.value);
        break;
      case 'UID':
        uid = r.uid;
        break;
    }
  }
  if (name !== USER_ANONYMOUS) {
    if (!groups.includes(GROUP_AUTHENTICATED) && !groups.includes(GROUP_UNAUTHENTICATED)) groups.push(GROUP_AUTHENTICATED);
  } else if (!groups.includes(GROUP_UNAUTHENTICATED)) {
    groups.push(GROUP_UNAUTHENTICATED);
  }
  const user: UserInfo = { name, groups };
  if (uid !== '') user.uid = uid;
  // An ordinary object again, each key an own property (fromEntries defines even __proto__ as data).
  if (Object.keys(extra).length > 0) user.extra = Object.fromEntries(Object.entries(extra));
  return user;
}

/** Removes the impersonation headers from a request's headers (done once the new user is in place). */
export function removeImpersonationHeaders(headers: Record<string, unknown>): void {
  for (const name of Object.keys(headers)) if (isImpersonationHeader(name)) delete headers[name];
}

/**
 * The requests as Go prints a []v1.ObjectReference with %v (upstream's 400 message):
 * `[{Kind Namespace Name UID APIVersion ResourceVersion FieldPath} ...]`.
 */
function goObjectReferences(requests: readonly ImpersonationRequest[]): string {
  const fields = (r: ImpersonationRequest): string[] => {
    const authn = `${AUTHENTICATION_GROUP}/${AUTHENTICATION_VERSION}`;
    switch (r.kind) {
      case 'User':
      case 'Group':
        return [r.kind, '', r.name, '', '', '', ''];
      case 'ServiceAccount':
        return [r.kind, r.namespace, r.name, '', '', '', ''];
      case 'UserExtra':
        return [r.kind, '', r.value, '', authn, '', r.key];
      case 'UID':
        return [r.kind, '', r.uid, '', authn, '', ''];
    }
  };
  return `[${requests.map((r) => `{${fields(r).join(' ')}}`).join(' ')}]`;
}

/** Cheap test, for every request, of whether any impersonation header is present (names lower-case, as Node gives them). */
export function requestsImpersonation(headers: Readonly<Record<string, unknown>>): boolean {
  for (const name in headers) if (name.startsWith('impersonate-') && isImpersonationHeader(name)) return true;
  return false;
}
