/** Parses a Kubernetes API path into what it addresses, as kube-apiserver's RequestInfo does. */

export interface ResourceRequest {
  /** "" for the core group (/api/v1). */
  group: string;
  version: string;
  namespace?: string;
  /** Plural resource name, e.g. "configmaps". */
  resource: string;
  name?: string;
  subresource?: string;
}

export type ApiPath =
  | { type: 'resource'; req: ResourceRequest }
  | { type: 'groupVersion'; group: string; version: string }
  | { type: 'group'; group: string }
  | { type: 'root'; prefix: 'api' | 'apis' }
  | { type: 'other' };

function split(path: string): string[] {
  return path.split('/').filter((p) => p !== '').map((p) => decodeURIComponent(p));
}

export function parseApiPath(pathname: string): ApiPath {
  const parts = split(pathname);
  if (parts.length === 0) return { type: 'other' };
  let group: string;
  let rest: string[];
  if (parts[0] === 'api') {
    if (parts.length === 1) return { type: 'root', prefix: 'api' };
    group = '';
    rest = parts.slice(1);
  } else if (parts[0] === 'apis') {
    if (parts.length === 1) return { type: 'root', prefix: 'apis' };
    if (parts.length === 2) return { type: 'group', group: parts[1]! };
    group = parts[1]!;
    rest = parts.slice(2);
  } else {
    return { type: 'other' };
  }
  const version = rest[0]!;
  const r = rest.slice(1);
  if (r.length === 0) return { type: 'groupVersion', group, version };
  // namespaces/{ns}/{resource}/... except the namespace object itself (namespaces/{name}[/{sub}])
  if (r[0] === 'namespaces' && r.length >= 3 && !(group === '' && r.length === 3 && ['status', 'finalize'].includes(r[2]!))) {
    const [, namespace, resource, name, subresource] = r;
    if (r.length > 5) return { type: 'other' };
    return { type: 'resource', req: { group, version, namespace, resource: resource!, name, subresource } };
  }
  if (r.length > 3) return { type: 'other' };
  const [resource, name, subresource] = r;
  return { type: 'resource', req: { group, version, resource: resource!, name, subresource } };
}
