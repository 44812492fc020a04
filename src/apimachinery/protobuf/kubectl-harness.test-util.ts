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
  /** Runs kubectl against the fake server; resolves with stdout. */
  kubectl(args: string[]): Promise<{ stdout: string; stderr: string }>;
  close(): Promise<void>;
}

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const CORE_RESOURCES = [
  { name: 'configmaps', singularName: 'configmap', namespaced: true, kind: 'ConfigMap', verbs: VERBS, shortNames: ['cm'] },
  { name: 'secrets', singularName: 'secret', namespaced: true, kind: 'Secret', verbs: VERBS },
  { name: 'namespaces', singularName: 'namespace', namespaced: false, kind: 'Namespace', verbs: VERBS.filter((v) => v !== 'deletecollection'), shortNames: ['ns'] },
  { name: 'serviceaccounts', singularName: 'serviceaccount', namespaced: true, kind: 'ServiceAccount', verbs: VERBS, shortNames: ['sa'] },
];

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
      if (req.method === 'GET' && p === '/apis') return sendJson(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: [] });
      if (req.method === 'GET' && p === '/api/v1') return sendJson(res, 200, { kind: 'APIResourceList', groupVersion: 'v1', resources: CORE_RESOURCES });
      if (req.method === 'POST' || req.method === 'PUT') {
        try {
          const obj = isKubernetesProtobufContentType(req.headers['content-type']) ? decodeKubernetesProtobuf(body) : (JSON.parse(body.toString('utf8')) as Record<string, unknown>);
          const ns = /^\/api\/v1\/namespaces\/([^/]+)\/[^/]+$/.exec(p)?.[1];
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
    kubectl: (args) => run('kubectl', [...args, '--kubeconfig', kubeconfig, '--cache-dir', path.join(dir, 'cache')], { env, timeout: 60_000, cwd: dir }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
