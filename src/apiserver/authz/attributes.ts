/**
 * What an authorizer is asked (kube-apiserver's authorizer.Attributes) and what it answers, plus the text
 * kube-apiserver puts in a 403 when the answer is no (responsewriters.forbiddenMessage and
 * apierrors.NewForbidden).
 */
import { goQuote, goQuoteList } from '../../apimachinery/go-quote.js';

export interface AuthzUser {
  name: string;
  uid?: string;
  groups: string[];
}

export interface AuthzAttributes {
  user: AuthzUser;
  /** get list watch create update patch delete deletecollection, or impersonate/bind/escalate/use...; non-resource: get post put delete ... */
  verb: string;
  resourceRequest: boolean;
  apiGroup?: string;
  apiVersion?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** Non-resource requests: the URL path. */
  path?: string;
}

export type AuthzDecision = { allowed: true; reason?: string } | { allowed: false; reason: string };

export interface Authorizer {
  authorize(a: AuthzAttributes): AuthzDecision;
}

export { goQuote, goQuoteList } from '../../apimachinery/go-quote.js';

/** kube-apiserver escapes these so an error never reads as HTML. */
function sanitize(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * kube-apiserver's 403 text for a refused request, e.g.
 * `User "x" cannot create resource "clusters" in API group "cluster.x-k8s.io" in the namespace "y"`,
 * `... at the cluster scope`, `User "x" cannot get path "/metrics"`; a non-empty reason follows after ": ".
 * The resource name does not appear here: kube puts it in the Status prefix (see forbiddenStatusMessage).
 */
export function forbiddenMessage(a: AuthzAttributes, reason?: string): string {
  const user = a.user?.name ?? '';
  let msg: string;
  if (!a.resourceRequest) {
    msg = `User ${goQuote(user)} cannot ${a.verb} path ${goQuote(a.path ?? '')}`;
  } else {
    let resource = a.resource ?? '';
    if (a.subresource) resource += '/' + a.subresource;
    const group = goQuote(a.apiGroup ?? '');
    msg = a.namespace
      ? `User ${goQuote(user)} cannot ${a.verb} resource ${goQuote(resource)} in API group ${group} in the namespace ${goQuote(a.namespace)}`
      : `User ${goQuote(user)} cannot ${a.verb} resource ${goQuote(resource)} in API group ${group} at the cluster scope`;
  }
  msg = sanitize(msg);
  return reason ? `${msg}: ${reason}` : msg;
}

/**
 * The whole Status.message of the 403 (apierrors.NewForbidden over forbiddenMessage):
 * `pods "web" is forbidden: User ...`, `clusters.cluster.x-k8s.io is forbidden: User ...`,
 * `forbidden: User "x" cannot get path "/x"`.
 */
export function forbiddenStatusMessage(a: AuthzAttributes, reason?: string): string {
  const inner = forbiddenMessage(a, reason);
  const resource = a.resourceRequest ? (a.resource ?? '') : '';
  const group = a.resourceRequest ? (a.apiGroup ?? '') : '';
  if (!resource && !group) return `forbidden: ${inner}`;
  const qualified = group ? `${resource}.${group}` : resource;
  return a.name ? `${qualified} ${goQuote(a.name)} is forbidden: ${inner}` : `${qualified} is forbidden: ${inner}`;
}

/** The details kube-apiserver puts in that Status: {name, group, kind: resource}. */
export function forbiddenStatusDetails(a: AuthzAttributes): { name?: string; group?: string; kind?: string } {
  if (!a.resourceRequest) return {};
  const d: { name?: string; group?: string; kind?: string } = {};
  if (a.name) d.name = a.name;
  if (a.apiGroup) d.group = a.apiGroup;
  if (a.resource) d.kind = a.resource;
  return d;
}
