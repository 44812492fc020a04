import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestAttributes } from './request-attributes.js';

const user = { name: 'alice', groups: ['system:authenticated'] };

function attrs(method: string, url: string): Record<string, unknown> {
  const u = new URL(url, 'https://localhost');
  const a = requestAttributes(user, method, u.pathname, u.searchParams) as unknown as Record<string, unknown>;
  const { user: _u, ...rest } = a;
  return rest;
}

// Cases of kube-apiserver's RequestInfoFactory tests (staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo_test.go).
describe('requestAttributes', () => {
  const cases: [string, string, string, string, string, string | undefined, string, string | undefined, string | undefined][] = [
    // method, url, verb, group, version, namespace, resource, subresource, name
    ['GET', '/api/v1/namespaces', 'list', '', 'v1', undefined, 'namespaces', undefined, undefined],
    ['GET', '/api/v1/namespaces/other', 'get', '', 'v1', 'other', 'namespaces', undefined, 'other'],
    ['GET', '/api/v1/namespaces/other/pods', 'list', '', 'v1', 'other', 'pods', undefined, undefined],
    ['GET', '/api/v1/namespaces/other/pods/foo', 'get', '', 'v1', 'other', 'pods', undefined, 'foo'],
    ['HEAD', '/api/v1/namespaces/other/pods/foo', 'get', '', 'v1', 'other', 'pods', undefined, 'foo'],
    ['GET', '/api/v1/pods', 'list', '', 'v1', undefined, 'pods', undefined, undefined],
    ['HEAD', '/api/v1/pods', 'list', '', 'v1', undefined, 'pods', undefined, undefined],
    ['GET', '/api/v1/pods?watch=true', 'watch', '', 'v1', undefined, 'pods', undefined, undefined],
    ['GET', '/api/v1/pods?watch=false', 'list', '', 'v1', undefined, 'pods', undefined, undefined],
    ['GET', '/api/v1/namespaces/other/pods?watch=1', 'watch', '', 'v1', 'other', 'pods', undefined, undefined],
    ['GET', '/api/v1/namespaces/other/pods?watch=0', 'list', '', 'v1', 'other', 'pods', undefined, undefined],
    ['GET', '/api/v1/namespaces/other/pods/foo/status', 'get', '', 'v1', 'other', 'pods', 'status', 'foo'],
    ['PUT', '/api/v1/namespaces/other/finalize', 'update', '', 'v1', 'other', 'namespaces', 'finalize', 'other'],
    ['PUT', '/api/v1/namespaces/other/status', 'update', '', 'v1', 'other', 'namespaces', 'status', 'other'],
    ['PATCH', '/api/v1/namespaces/other/pods/foo', 'patch', '', 'v1', 'other', 'pods', undefined, 'foo'],
    ['DELETE', '/api/v1/namespaces/other/pods/foo', 'delete', '', 'v1', 'other', 'pods', undefined, 'foo'],
    ['POST', '/api/v1/namespaces/other/pods', 'create', '', 'v1', 'other', 'pods', undefined, undefined],
    ['DELETE', '/api/v1/nodes', 'deletecollection', '', 'v1', undefined, 'nodes', undefined, undefined],
    ['DELETE', '/api/v1/namespaces', 'deletecollection', '', 'v1', undefined, 'namespaces', undefined, undefined],
    ['DELETE', '/api/v1/namespaces/other/pods', 'deletecollection', '', 'v1', 'other', 'pods', undefined, undefined],
    ['DELETE', '/apis/extensions/v1/namespaces/other/pods', 'deletecollection', 'extensions', 'v1', 'other', 'pods', undefined, undefined],
    ['POST', '/apis/extensions/v1/namespaces/other/pods', 'create', 'extensions', 'v1', 'other', 'pods', undefined, undefined],
    ['POST', '/apis/extensions/v1beta3/namespaces/other/pods', 'create', 'extensions', 'v1beta3', 'other', 'pods', undefined, undefined],
    ['POST', '/apis/cluster.x-k8s.io/v1beta1/namespaces/team-a/clusters', 'create', 'cluster.x-k8s.io', 'v1beta1', 'team-a', 'clusters', undefined, undefined],
    ['PUT', '/apis/apps/v1/namespaces/default/deployments/web/scale', 'update', 'apps', 'v1', 'default', 'deployments', 'scale', 'web'],
  ];
  for (const [method, url, verb, group, version, namespace, resource, subresource, name] of cases) {
    it(`${method} ${url} → ${verb}`, () => {
      const want: Record<string, unknown> = { verb, resourceRequest: true, apiGroup: group, apiVersion: version, resource };
      if (namespace !== undefined) want.namespace = namespace;
      if (subresource !== undefined) want.subresource = subresource;
      if (name !== undefined) want.name = name;
      assert.deepEqual(attrs(method, url), want);
    });
  }

  // TestFieldSelectorParsing: a list or watch for one metadata.name is authorized as that name.
  const selectorCases: [string, string, string | undefined][] = [
    ['/apis/group/version/resource', 'list', undefined],
    ['/apis/group/version/resource?fieldSelector=metadata.name%3Dname1', 'list', 'name1'],
    ['/apis/group/version/resource?watch=true&fieldSelector=metadata.name%3Dname1', 'watch', 'name1'],
    ['/apis/group/version/resource?fieldSelector=metadata.name%3D%3Dname1', 'list', 'name1'],
    ['/apis/group/version/resource?fieldSelector=foo%3Dbar', 'list', undefined],
    ['/apis/group/version/resource?fieldSelector=metadata.name%21%3Dname1', 'list', undefined],
    ['/apis/group/version/resource?fieldSelector=metadata.name%3Dname1,foo%3Dbar', 'list', 'name1'],
  ];
  for (const [url, verb, name] of selectorCases) {
    it(`field selector ${decodeURIComponent(url)} → ${verb} ${name ?? '(no name)'}`, () => {
      const got = attrs('GET', url);
      assert.equal(got.verb, verb);
      assert.equal(got.name, name);
    });
  }

  it('non-resource paths carry the lowercase method as the verb', () => {
    assert.deepEqual(attrs('GET', '/healthz/ping'), { verb: 'get', resourceRequest: false, path: '/healthz/ping' });
    assert.deepEqual(attrs('GET', '/apis'), { verb: 'get', resourceRequest: false, path: '/apis' });
    assert.deepEqual(attrs('GET', '/apis/apps/v1'), { verb: 'get', resourceRequest: false, path: '/apis/apps/v1' });
    assert.deepEqual(attrs('POST', '/logs'), { verb: 'post', resourceRequest: false, path: '/logs' });
  });
});
