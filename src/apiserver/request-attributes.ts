/**
 * What an HTTP request asks for, as kube-apiserver's RequestInfoFactory derives it for authorization and audit:
 * the verb (get/list/watch/create/update/patch/delete/deletecollection for resources, the lowercase HTTP method for
 * other paths), and for resource requests the group, version, resource, subresource, namespace and name.
 */
import { parseFieldSelector } from '../apimachinery/selectors.js';
import type { UserInfo } from './authn.js';
import type { AuthzAttributes } from './authz/attributes.js';
import { parseApiPath } from './request-info.js';

const METHOD_VERBS: Record<string, string> = { POST: 'create', GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/** Go's strconv.ParseBool truth values, which kube-apiserver accepts in query parameters. */
function isTrue(v: string | null): boolean {
  return v !== null && ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v);
}

/** A single path segment kube-apiserver accepts as an object name (path.IsValidPathSegmentName). */
function validSegmentName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('%');
}

/** The exact metadata.name a field selector requires, if it requires one. */
function selectedName(fieldSelector: string | null): string | undefined {
  if (!fieldSelector) return undefined;
  try {
    const sel = parseFieldSelector(fieldSelector);
    // As fields.Selector.RequiresExactMatch: the first equality term on the field.
    return sel.requirements.find((r) => r.field === 'metadata.name' && (r.operator === '=' || r.operator === '=='))?.value;
  } catch {
    return undefined;
  }
}

/** The authorization attributes of a request by `user` for `method pathname?query`. */
export function requestAttributes(user: UserInfo, method: string, pathname: string, query: URLSearchParams): AuthzAttributes {
  const m = method.toUpperCase();
  const api = parseApiPath(pathname);
  if (api.type !== 'resource') {
    return { user, verb: m.toLowerCase(), resourceRequest: false, path: pathname };
  }
  const r = api.req;
  let verb = METHOD_VERBS[m] ?? m.toLowerCase();
  let name = r.name;
  // The namespace object itself: /api/v1/namespaces/{name}[/{sub}] names the namespace.
  let namespace = r.namespace;
  const resource = r.resource;
  const subresource = r.subresource;
  if (r.group === '' && r.resource === 'namespaces' && r.name !== undefined && r.namespace === undefined) {
    namespace = r.name;
  }
  if (!name && verb === 'get') {
    verb = isTrue(query.get('watch')) ? 'watch' : 'list';
    const selected = selectedName(query.get('fieldSelector'));
    if (selected !== undefined && validSegmentName(selected)) name = selected;
  }
  if (!name && verb === 'delete') verb = 'deletecollection';
  const out: AuthzAttributes = { user, verb, resourceRequest: true, apiGroup: r.group, apiVersion: r.version, resource, namespace };
  if (name !== undefined) out.name = name;
  if (subresource !== undefined) out.subresource = subresource;
  if (out.namespace === undefined) delete out.namespace;
  return out;
}
