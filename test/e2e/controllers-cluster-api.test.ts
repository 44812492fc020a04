/**
 * `slipway controllers --controllers cluster-api` as a separate process against a plane that runs no Cluster API
 * controllers of its own: the ClusterClass controller reconciles a class, and the topology and Cluster controllers turn
 * a topology Cluster into its objects, all over HTTPS from a kubeconfig — holding only the token of the plane's
 * ServiceAccount kube-system/slipway-controller-manager, so its ClusterRole slipway:controller-manager is enough.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeKubeconfig } from '../../src/apiserver/kubeconfig.js';
import { startPlane, type TestPlane } from '../support/plane.js';
import { conditionOf, itemsOf, kube, waitFor, type Kube } from '../support/capi.js';
import { testClassYaml, testClusterYaml } from '../support/topology-class.js';

const SOURCE_CLI = new URL('../support/slipway-source.ts', import.meta.url).pathname;

describe('slipway controllers --controllers cluster-api (against a plane without its own)', () => {
  let t: TestPlane;
  let kb: Kube;
  let proc: ChildProcess;
  const out: string[] = [];

  before(async () => {
    t = await startPlane({ clusterApi: false });
    kb = kube(t);
    const token = await t.kubectl(['create', 'token', 'slipway-controller-manager', '-n', 'kube-system', '--duration=1h']);
    assert.equal(token.code, 0, token.stderr);
    const kubeconfig = join(t.dataDir, 'controller-manager.kubeconfig');
    await writeKubeconfig(kubeconfig, { server: t.plane.url, caPem: t.plane.pki.ca.certPem, token: token.stdout.trim(), userName: 'slipway-controller-manager' });
    // Not an admin: its role lets it write Cluster API objects, not RBAC.
    // (Asynchronously: the plane answers from this process.)
    const canI = (args: string[]): Promise<string> =>
      new Promise((resolve) => execFile('kubectl', ['--kubeconfig', kubeconfig, 'auth', 'can-i', ...args], { env: { ...process.env, HOME: t.dataDir } }, (_err, stdout) => resolve(String(stdout).trim())));
    assert.equal(await canI(['create', 'clusters.cluster.x-k8s.io', '-n', 'default']), 'yes');
    assert.equal(await canI(['create', 'clusterroles.rbac.authorization.k8s.io']), 'no');
    assert.equal(await canI(['delete', 'customresourcedefinitions.apiextensions.k8s.io']), 'no');
    // The CLI from the sources, so a stale dist/ cannot hide a change.
    proc = spawn(process.execPath, ['--import', 'tsx', SOURCE_CLI, 'controllers', '--kubeconfig', kubeconfig, '--controllers', 'cluster-api', '--no-leader-elect', '--metrics-bind-address', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout!.setEncoding('utf8').on('data', (c: string) => out.push(c));
    proc.stderr!.setEncoding('utf8').on('data', (c: string) => out.push(c));
  });
  after(async () => {
    if (proc.exitCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    }
    await t?.close();
  });

  it('reconciles a ClusterClass and turns a topology Cluster into its objects', async () => {
    await kb.ok(['apply', '-f', '-'], testClassYaml());
    await waitFor(kb, ['get', 'clusterclass', 'test-class'], (cc: { metadata: { generation?: number }; status?: { observedGeneration?: number } }) => cc.status?.observedGeneration === cc.metadata.generation, 60_000, 'ClusterClass reconciled by the external manager').catch((e: Error) => {
      throw new Error(`${e.message}\nmanager output: ${out.join('').slice(-3000)}`);
    });
    await kb.ok(['apply', '-f', '-'], testClusterYaml({ name: 'ext' }));
    const cluster = await waitFor(kb, ['get', 'cluster', 'ext'], (c: { metadata: { finalizers?: string[] }; status?: { conditions?: { type: string; status: string }[] } }) => !!c.metadata.finalizers?.length && conditionOf(c, 'TopologyReconciled')?.status === 'True', 60_000, 'topology reconciled');
    assert.ok((cluster as { metadata: { finalizers: string[] } }).metadata.finalizers.includes('cluster.cluster.x-k8s.io'));
    const kcps = itemsOf<{ metadata: { labels?: Record<string, string> } }>(await kb.json(['get', 'kcp', '-l', 'cluster.x-k8s.io/cluster-name=ext']));
    assert.equal(kcps.length, 1, 'the topology controller created the control plane');
    const mds = itemsOf(await kb.json(['get', 'md', '-l', 'cluster.x-k8s.io/cluster-name=ext']));
    assert.equal(mds.length, 1, 'and the worker pool');
    // No sim provider runs here: the infrastructure never becomes ready, and the Cluster says so.
    await waitFor(kb, ['get', 'cluster', 'ext'], (c: { status?: { phase?: string } }) => c.status?.phase === 'Provisioning', 30_000, 'Cluster Provisioning');
  });
});
