/**
 * Test helper: a tiny fake API server that records the request bodies real kubectl sends,
 * answering POSTs with the JSON that decodeKubernetesProtobuf makes of the body.
 * Only imported by tests.
 */

import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { StatusError } from '../errors.js';
import { decodeKubernetesProtobuf, isKubernetesProtobufContentType } from './index.js';

const run = promisify(execFile);

export interface RecordedRequest {
  method: string;
  url: string;
  contentType: string;
  accept: string;
  body: Buffer;
}

export interface KubectlHarness {
  dir: string;
  requests: RecordedRequest[];
  /** Objects the fake server answers GETs of their exact path with (e.g. a CronJob for `create job --from`). */
  objects: Map<string, unknown>;
  /** Runs kubectl against the fake server; resolves with stdout. */
  kubectl(args: string[]): Promise<{ stdout: string; stderr: string }>;
  close(): Promise<void>;
}

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const resource = (name: string, kind: string, namespaced: boolean, shortNames?: string[]) => ({
  name,
  singularName: kind.toLowerCase(),
  namespaced,
  kind,
  verbs: namespaced ? VERBS : VERBS.filter((v) => v !== 'deletecollection'),
  ...(shortNames ? { shortNames } : {}),
});
const CORE_RESOURCES = [
  resource('configmaps', 'ConfigMap', true, ['cm']),
  resource('secrets', 'Secret', true),
  resource('namespaces', 'Namespace', false, ['ns']),
  resource('serviceaccounts', 'ServiceAccount', true, ['sa']),
  resource('services', 'Service', true, ['svc']),
  resource('pods', 'Pod', true, ['po']),
];
/** Discovery of the groups kubectl's typed create commands need (legacy, non-aggregated form). */
const GROUP_RESOURCES: Record<string, Array<ReturnType<typeof resource> | Record<string, unknown>>> = {
  'apps/v1': [
    resource('deployments', 'Deployment', true, ['deploy']),
    { name: 'deployments/scale', singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] }, resource('replicasets', 'ReplicaSet', true, ['rs']), resource('statefulsets', 'StatefulSet', true, ['sts']), resource('daemonsets', 'DaemonSet', true, ['ds']),
  ],
  'batch/v1': [resource('jobs', 'Job', true), resource('cronjobs', 'CronJob', true, ['cj'])],
  'policy/v1': [resource('poddisruptionbudgets', 'PodDisruptionBudget', true, ['pdb'])],
  'networking.k8s.io/v1': [resource('ingresses', 'Ingress', true, ['ing'])],
  'autoscaling/v2': [resource('horizontalpodautoscalers', 'HorizontalPodAutoscaler', true, ['hpa'])],
  'autoscaling/v1': [resource('horizontalpodautoscalers', 'HorizontalPodAutoscaler', true, ['hpa'])],
  'scheduling.k8s.io/v1': [resource('priorityclasses', 'PriorityClass', false, ['pc'])],
  'rbac.authorization.k8s.io/v1': [resource('roles', 'Role', true), resource('rolebindings', 'RoleBinding', true), resource('clusterroles', 'ClusterRole', false), resource('clusterrolebindings', 'ClusterRoleBinding', false)],
};
function groupList(): unknown {
  const groups = new Map<string, string[]>();
  for (const gv of Object.keys(GROUP_RESOURCES)) {
    const [g, v] = gv.split('/') as [string, string];
    groups.set(g, [...(groups.get(g) ?? []), v]);
  }
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groups].map(([name, versions]) => ({
      name,
      versions: versions.map((version) => ({ groupVersion: `${name}/${version}`, version })),
      preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
    })),
  };
}

function sendJson(res: http.ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function hasKubectl(): Promise<boolean> {
  try {
    await run('kubectl', ['version', '--client'], { timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

export async function startKubectlHarness(): Promise<KubectlHarness> {
  const dir = await mkdtemp(path.join(tmpdir(), 'slipway-pb-'));
  const requests: RecordedRequest[] = [];
  const objects = new Map<string, unknown>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = req.url ?? '/';
      requests.push({ method: req.method ?? '', url, contentType: req.headers['content-type'] ?? '', accept: req.headers.accept ?? '', body });
      const p = url.split('?')[0]!;
      if (req.method === 'GET' && p === '/version') return sendJson(res, 200, { major: '1', minor: '32', gitVersion: 'v1.32.0' });
      if (req.method === 'GET' && p === '/api') return sendJson(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
      if (req.method === 'GET' && objects.has(p)) return sendJson(res, 200, objects.get(p));
      if (req.method === 'GET' && p === '/apis') return sendJson(res, 200, groupList());
      const gv = /^\/apis\/([^/]+\/[^/]+)$/.exec(p)?.[1];
      if (req.method === 'GET' && gv && GROUP_RESOURCES[gv]) return sendJson(res, 200, { kind: 'APIResourceList', groupVersion: gv, resources: GROUP_RESOURCES[gv] });
      if (req.method === 'GET' && p === '/api/v1') return sendJson(res, 200, { kind: 'APIResourceList', groupVersion: 'v1', resources: CORE_RESOURCES });
      if (req.method === 'POST' || req.method === 'PUT') {
        try {
          const obj = isKubernetesProtobufContentType(req.headers['content-type']) ? decodeKubernetesProtobuf(body) : (JSON.parse(body.toString('utf8')) as Record<string, unknown>);
          const ns = /^\/(?:api\/v1|apis\/[^/]+\/[^/]+)\/namespaces\/([^/]+)\/[^/]+$/.exec(p)?.[1];
          const metadata = { ...(obj.metadata ?? {}), ...(ns ? { namespace: ns } : {}), uid: '00000000-0000-0000-0000-000000000001', resourceVersion: '1' };
          return sendJson(res, 201, { ...obj, metadata });
        } catch (err) {
          if (err instanceof StatusError) return sendJson(res, err.code, err.toStatus());
          return sendJson(res, 500, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 500, reason: 'InternalError', message: String(err) });
        }
      }
      return sendJson(res, 404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 404, reason: 'NotFound', message: `${p} not found` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const kubeconfig = path.join(dir, 'kubeconfig');
  await writeFile(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: fake',
      '  cluster:',
      `    server: http://127.0.0.1:${port}`,
      'contexts:',
      '- name: fake',
      '  context:',
      '    cluster: fake',
      '    user: fake',
      '    namespace: default',
      'current-context: fake',
      'users:',
      '- name: fake',
      '  user: {}',
      '',
    ].join('\n'),
  );
  const env = { ...process.env, KUBECONFIG: kubeconfig, HOME: dir };
  return {
    dir,
    requests,
    objects,
    kubectl: (args) => run('kubectl', [...args, '--kubeconfig', kubeconfig, '--cache-dir', path.join(dir, 'cache')], { env, timeout: 60_000, cwd: dir }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
