/**
 * `slipway cluster get` and `slipway cluster kubeconfig get`, the built CLI (bin/slipway.js) against a real plane
 * over HTTPS. The test writes the cluster's objects and their status itself through the API (the Cluster is paused,
 * so controllers, when the plane runs them, leave them as written): three ready control-plane Machines, a
 * MachineDeployment with two ready Machines and one whose provisioning failed.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse, stringify } from 'yaml';
import type { KubeObject } from '../../src/apimachinery/types.js';
import { kubeconfigClient, type Client } from '../../src/client/index.js';
import { ensureClusterApiKinds } from '../support/cluster-api-crds.js';
import { startPlane, type TestPlane } from '../support/plane.js';

const BIN = new URL('../../bin/slipway.js', import.meta.url).pathname;
const NS = 'team-a';
const CAPI = 'cluster.x-k8s.io/v1beta1';
const INFRA = 'infrastructure.slipway.dev/v1alpha1';
const BOOTSTRAP = 'bootstrap.cluster.x-k8s.io/v1beta1';
const CONTROL_PLANE = 'controlplane.cluster.x-k8s.io/v1beta1';
const FAILURE = 'sim: provisioning failed: no capacity left in failure domain zone-a';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The built CLI, with a clean environment (no KUBECONFIG, no colours) unless `env` says otherwise. */
function slipway(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const base = { ...process.env };
  delete base.KUBECONFIG;
  delete base.NO_COLOR;
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 60_000, env: { ...base, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function kubectl(kubeconfig: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }));
    child.stdin?.end();
  });
}

interface Row {
  name: string;
  ready: string;
  severity: string;
  reason: string;
  since: string;
  message: string;
}

/** The table's rows, cut at the header's column starts. */
function rows(stdout: string): Row[] {
  const [header, ...lines] = stdout.trimEnd().split('\n');
  assert.match(header!, /^NAME +READY +SEVERITY +REASON +SINCE +MESSAGE$/);
  const at = ['READY', 'SEVERITY', 'REASON', 'SINCE', 'MESSAGE'].map((c) => header!.indexOf(c));
  const cut = (l: string, i: number): string => l.slice(i === 0 ? 0 : at[i - 1], at[i]).trim();
  return lines.map((l) => ({ name: l.slice(0, at[0]).trimEnd(), ready: cut(l, 1), severity: cut(l, 2), reason: cut(l, 3), since: cut(l, 4), message: l.slice(at[4]).trim() }));
}

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

function cond(type: string, status: string, severity = '', reason = '', message = ''): Record<string, string> {
  return { type, status, lastTransitionTime: now(), ...(severity ? { severity } : {}), ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
}

const READY_MACHINE = [cond('Ready', 'True'), cond('BootstrapReady', 'True'), cond('InfrastructureReady', 'True'), cond('NodeHealthy', 'True')];

describe('slipway cluster', () => {
  let t: TestPlane;
  let client: Client;
  const dir = mkdtempSync(join(tmpdir(), 'slipway-cluster-cli-'));

  async function create(obj: KubeObject, status?: Record<string, unknown>): Promise<KubeObject> {
    const made = await client.create(obj);
    if (status) await client.patchStatus({ apiVersion: obj.apiVersion!, kind: obj.kind! }, { namespace: NS, name: obj.metadata!.name! }, { type: 'merge', body: { status } });
    return made;
  }

  function controller(o: KubeObject) {
    return [{ apiVersion: o.apiVersion!, kind: o.kind!, name: o.metadata!.name!, uid: o.metadata!.uid!, controller: true, blockOwnerDeletion: true }];
  }

  /** A Machine with its KubeadmConfig and SimMachine (the SimMachines labelled with the cluster, the configs not). */
  async function machine(name: string, owner: KubeObject, labels: Record<string, string>, conditions: Record<string, string>[], infraReady = cond('Ready', 'True')): Promise<void> {
    const m = await create({
      apiVersion: CAPI,
      kind: 'Machine',
      metadata: { name, namespace: NS, labels: { 'cluster.x-k8s.io/cluster-name': 'dev', ...labels }, ownerReferences: controller(owner) },
      spec: {
        clusterName: 'dev',
        version: 'v1.30.2',
        bootstrap: { configRef: { apiVersion: BOOTSTRAP, kind: 'KubeadmConfig', name, namespace: NS } },
        infrastructureRef: { apiVersion: INFRA, kind: 'SimMachine', name, namespace: NS },
      },
    }, { phase: conditions[0]!.status === 'True' ? 'Running' : 'Failed', bootstrapReady: true, infrastructureReady: infraReady.status === 'True', conditions });
    await create({ apiVersion: BOOTSTRAP, kind: 'KubeadmConfig', metadata: { name, namespace: NS, ownerReferences: controller(m) }, spec: {} }, { ready: true, dataSecretName: name, conditions: [cond('Ready', 'True'), cond('DataSecretAvailable', 'True')] });
    await create(
      { apiVersion: INFRA, kind: 'SimMachine', metadata: { name, namespace: NS, labels: { 'cluster.x-k8s.io/cluster-name': 'dev' }, ownerReferences: controller(m) }, spec: {} },
      { ready: infraReady.status === 'True', conditions: [infraReady, cond('VMProvisioned', infraReady.status, infraReady.severity, infraReady.reason, infraReady.message)] },
    );
  }

  before(async () => {
    t = await startPlane();
    client = await kubeconfigClient(t.plane.kubeconfigPath, { fieldManager: 'cluster-cli-test' });
    await ensureClusterApiKinds(client);
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });

    await create(
      {
        apiVersion: CAPI,
        kind: 'Cluster',
        metadata: { name: 'dev', namespace: NS },
        spec: {
          paused: true,
          clusterNetwork: { pods: { cidrBlocks: ['192.168.0.0/16'] } },
          infrastructureRef: { apiVersion: INFRA, kind: 'SimCluster', name: 'dev', namespace: NS },
          controlPlaneRef: { apiVersion: CONTROL_PLANE, kind: 'KubeadmControlPlane', name: 'dev-control-plane', namespace: NS },
        },
      },
      { phase: 'Provisioned', infrastructureReady: true, controlPlaneReady: true, conditions: [cond('Ready', 'True'), cond('ControlPlaneInitialized', 'True'), cond('ControlPlaneReady', 'True'), cond('InfrastructureReady', 'True')] },
    );
    await create({ apiVersion: INFRA, kind: 'SimCluster', metadata: { name: 'dev', namespace: NS }, spec: {} }, { ready: true, conditions: [cond('Ready', 'True'), cond('LoadBalancerAvailable', 'True')] });
    const kcp = await create(
      {
        apiVersion: CONTROL_PLANE,
        kind: 'KubeadmControlPlane',
        metadata: { name: 'dev-control-plane', namespace: NS, labels: { 'cluster.x-k8s.io/cluster-name': 'dev' } },
        spec: { replicas: 3, version: 'v1.30.2', machineTemplate: { infrastructureRef: { apiVersion: INFRA, kind: 'SimMachineTemplate', name: 'dev-control-plane', namespace: NS } }, kubeadmConfigSpec: {} },
      },
      {
        replicas: 3,
        readyReplicas: 3,
        updatedReplicas: 3,
        initialized: true,
        ready: true,
        version: 'v1.30.2',
        conditions: [cond('Ready', 'True'), cond('Available', 'True'), cond('CertificatesAvailable', 'True'), cond('MachinesCreated', 'True'), cond('MachinesReady', 'True'), cond('Resized', 'True')],
      },
    );
    const selector = { 'cluster.x-k8s.io/cluster-name': 'dev', 'cluster.x-k8s.io/deployment-name': 'dev-md-0' };
    const template = {
      metadata: { labels: selector },
      spec: {
        clusterName: 'dev',
        version: 'v1.30.2',
        bootstrap: { configRef: { apiVersion: BOOTSTRAP, kind: 'KubeadmConfigTemplate', name: 'dev-md-0', namespace: NS } },
        infrastructureRef: { apiVersion: INFRA, kind: 'SimMachineTemplate', name: 'dev-md-0', namespace: NS },
      },
    };
    const waiting = 'Minimum availability requires 3 replicas, current 2 available';
    const md = await create(
      { apiVersion: CAPI, kind: 'MachineDeployment', metadata: { name: 'dev-md-0', namespace: NS, labels: { 'cluster.x-k8s.io/cluster-name': 'dev' } }, spec: { clusterName: 'dev', replicas: 3, selector: { matchLabels: selector }, template } },
      { phase: 'Running', replicas: 3, readyReplicas: 2, availableReplicas: 2, unavailableReplicas: 1, conditions: [cond('Ready', 'False', 'Warning', 'WaitingForAvailableMachines', waiting), cond('Available', 'False', 'Warning', 'WaitingForAvailableMachines', waiting), cond('MachineSetReady', 'False', 'Error', 'ProvisioningFailed', FAILURE)] },
    );
    const setLabels = { ...selector, 'cluster.x-k8s.io/set-name': 'dev-md-0-7d9f8', 'machine-template-hash': '3385274' };
    const ms = await create(
      {
        apiVersion: CAPI,
        kind: 'MachineSet',
        metadata: { name: 'dev-md-0-7d9f8', namespace: NS, labels: setLabels, ownerReferences: controller(md) },
        spec: { clusterName: 'dev', replicas: 3, selector: { matchLabels: setLabels }, template: { ...template, metadata: { labels: setLabels } } },
      },
      { replicas: 3, readyReplicas: 2, availableReplicas: 2, conditions: [cond('Ready', 'False', 'Error', 'ProvisioningFailed', FAILURE), cond('MachinesCreated', 'True'), cond('MachinesReady', 'False', 'Error', 'ProvisioningFailed', FAILURE), cond('Resized', 'True')] },
    );
    for (const suffix of ['abc12', 'def34', 'ghi56']) {
      await machine(`dev-control-plane-${suffix}`, kcp, { 'cluster.x-k8s.io/control-plane': '', 'cluster.x-k8s.io/control-plane-name': 'dev-control-plane' }, READY_MACHINE);
    }
    for (const suffix of ['a1b2c', 'd3e4f']) await machine(`dev-md-0-7d9f8-${suffix}`, ms, setLabels, READY_MACHINE);
    const failed = cond('Ready', 'False', 'Error', 'ProvisioningFailed', FAILURE);
    await machine(`dev-md-0-7d9f8-x9y8z`, ms, setLabels, [failed, cond('BootstrapReady', 'True'), cond('InfrastructureReady', 'False', 'Error', 'ProvisioningFailed', FAILURE), cond('NodeHealthy', 'False', 'Info', 'WaitingForNodeRef')], failed);
  });

  after(async () => {
    client?.close();
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the cluster as a tree with Ready conditions, grouping Machines that agree', async () => {
    const r = await slipway(['cluster', 'get', 'dev', '-n', NS, '--kubeconfig', t.plane.kubeconfigPath]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stdout.includes('\x1b['), 'no colours when stdout is not a terminal');
    const table = rows(r.stdout);
    assert.deepEqual(
      table.map((x) => x.name),
      [
        'Cluster/dev',
        '├─ClusterInfrastructure - SimCluster/dev',
        '├─ControlPlane - KubeadmControlPlane/dev-control-plane',
        '│ └─3 Machines...',
        '└─Workers',
        '  └─MachineDeployment/dev-md-0',
        '    ├─2 Machines...',
        '    └─Machine/dev-md-0-7d9f8-x9y8z',
      ],
    );
    assert.deepEqual([table[0]!.ready, table[1]!.ready, table[2]!.ready, table[3]!.ready], ['True', 'True', 'True', 'True']);
    assert.equal(table[3]!.message, 'See dev-control-plane-abc12, dev-control-plane-def34, ...');
    assert.deepEqual(table[4], { name: '└─Workers', ready: '', severity: '', reason: '', since: '', message: '' });
    assert.deepEqual({ ...table[5], since: '' }, { name: '  └─MachineDeployment/dev-md-0', ready: 'False', severity: 'Warning', reason: 'WaitingForAvailableMachines', since: '', message: 'Minimum availability requires 3 replicas, current 2 available' });
    assert.equal(table[6]!.message, 'See dev-md-0-7d9f8-a1b2c, dev-md-0-7d9f8-d3e4f');
    assert.deepEqual({ ...table[7], since: '' }, { name: '    └─Machine/dev-md-0-7d9f8-x9y8z', ready: 'False', severity: 'Error', reason: 'ProvisioningFailed', since: '', message: FAILURE });
    for (const row of table.filter((x) => x.ready)) assert.match(row.since, /^\d+[smhdy]/, `SINCE of ${row.name}`);
  });

  it('--grouping=false lists every Machine; --show-machinesets and --echo add their rows', async () => {
    const flat = await slipway(['cluster', 'get', 'dev', '-n', NS, '--kubeconfig', t.plane.kubeconfigPath, '--grouping=false', '--show-machinesets', '--echo']);
    assert.equal(flat.code, 0, flat.stderr);
    const names = rows(flat.stdout).map((x) => x.name);
    assert.deepEqual(names.slice(2, 6), [
      '├─ControlPlane - KubeadmControlPlane/dev-control-plane',
      '│ ├─Machine/dev-control-plane-abc12',
      '│ │ ├─BootstrapConfig - KubeadmConfig/dev-control-plane-abc12',
      '│ │ └─MachineInfrastructure - SimMachine/dev-control-plane-abc12',
    ]);
    assert.deepEqual(names.slice(-6), [
      '      ├─Machine/dev-md-0-7d9f8-d3e4f',
      '      │ ├─BootstrapConfig - KubeadmConfig/dev-md-0-7d9f8-d3e4f',
      '      │ └─MachineInfrastructure - SimMachine/dev-md-0-7d9f8-d3e4f',
      '      └─Machine/dev-md-0-7d9f8-x9y8z',
      '        ├─BootstrapConfig - KubeadmConfig/dev-md-0-7d9f8-x9y8z',
      '        └─MachineInfrastructure - SimMachine/dev-md-0-7d9f8-x9y8z',
    ]);
    assert.ok(names.includes('  └─MachineDeployment/dev-md-0') && names.includes('    └─MachineSet/dev-md-0-7d9f8'), names.join('\n'));
    assert.equal(names.filter((n) => /─Machine\/dev-/.test(n)).length, 6);

    const plain = await slipway(['cluster', 'get', 'dev', '-n', NS, '--kubeconfig', t.plane.kubeconfigPath, '--no-grouping']);
    assert.deepEqual(
      rows(plain.stdout).map((x) => x.name.replace(/^[│├└─ ]+/, '')),
      ['Cluster/dev', 'ClusterInfrastructure - SimCluster/dev', 'ControlPlane - KubeadmControlPlane/dev-control-plane', 'Machine/dev-control-plane-abc12', 'Machine/dev-control-plane-def34', 'Machine/dev-control-plane-ghi56', 'Workers', 'MachineDeployment/dev-md-0', 'Machine/dev-md-0-7d9f8-a1b2c', 'Machine/dev-md-0-7d9f8-d3e4f', 'Machine/dev-md-0-7d9f8-x9y8z'],
      'infrastructure and bootstrap objects that echo their Machine stay hidden without --echo',
    );
  });

  it('--show-conditions all lists every condition under its object', async () => {
    const r = await slipway(['cluster', 'get', 'dev', '-n', NS, '--kubeconfig', t.plane.kubeconfigPath, '--show-conditions', 'all']);
    assert.equal(r.code, 0, r.stderr);
    const table = rows(r.stdout);
    const names = table.map((x) => x.name);
    assert.deepEqual(names.slice(0, 4), ['Cluster/dev', '│           ├─ControlPlaneInitialized', '│           ├─ControlPlaneReady', '│           └─InfrastructureReady']);
    assert.deepEqual(names.slice(4, 6), ['├─ClusterInfrastructure - SimCluster/dev', '│             └─LoadBalancerAvailable']);
    const kcp = names.indexOf('├─ControlPlane - KubeadmControlPlane/dev-control-plane');
    assert.deepEqual(names.slice(kcp + 1, kcp + 7).map((n) => n.trim().replace(/^│ │ +/, '')), ['├─Available', '├─CertificatesAvailable', '├─MachinesCreated', '├─MachinesReady', '└─Resized', '│ └─3 Machines...']);
    const failed = table.findIndex((x) => x.name.endsWith('Machine/dev-md-0-7d9f8-x9y8z'));
    assert.deepEqual(
      table.slice(failed + 1).map((x) => [x.name.trim(), x.ready, x.severity, x.reason]),
      [
        ['├─BootstrapReady', 'True', '', ''],
        ['├─InfrastructureReady', 'False', 'Error', 'ProvisioningFailed'],
        ['└─NodeHealthy', 'False', 'Info', 'WaitingForNodeRef'],
      ],
    );
    const one = await slipway(['cluster', 'get', 'dev', '-n', NS, '--kubeconfig', t.plane.kubeconfigPath, '--show-conditions', 'Machine/dev-control-plane-def34']);
    const oneNames = rows(one.stdout).map((x) => x.name.trim());
    assert.ok(oneNames.includes('│ ├─2 Machines...') || oneNames.includes('├─2 Machines...'), oneNames.join('\n'));
    assert.ok(oneNames.some((n) => n.endsWith('Machine/dev-control-plane-def34')), 'a Machine named by --show-conditions leaves its group');
    assert.equal(oneNames.filter((n) => /─(BootstrapReady|InfrastructureReady|NodeHealthy)$/.test(n)).length, 3);
  });

  it('colours the tree on a terminal, unless NO_COLOR is set', { skip: !existsSync('/usr/bin/script') && 'needs script(1) for a terminal' }, async () => {
    const quote = (a: string): string => `'${a.replace(/'/g, `'\\''`)}'`;
    const command = [process.execPath, BIN, 'cluster', 'get', 'dev', '-n', NS, '--kubeconfig', t.plane.kubeconfigPath].map(quote).join(' ');
    const onTty = (env: NodeJS.ProcessEnv): Promise<Run> =>
      new Promise((resolve) => {
        const base = { ...process.env };
        delete base.NO_COLOR;
        execFile('script', ['-qec', command, '/dev/null'], { timeout: 60_000, env: { ...base, ...env } }, (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }));
      });
    const coloured = await onTty({});
    assert.equal(coloured.code, 0, coloured.stderr);
    assert.ok(coloured.stdout.includes('\x1b[31mProvisioningFailed\x1b[0m'), 'an Error reason is red');
    assert.ok(coloured.stdout.includes('\x1b[32mTrue\x1b[0m'), 'True is green');
    const plain = await onTty({ NO_COLOR: '1' });
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /Machine\/dev-md-0-7d9f8-x9y8z/);
    assert.ok(!plain.stdout.includes('\x1b['), 'NO_COLOR turns colours off');
  });

  it('-o json and -o yaml print the objects of the tree as a List', async () => {
    const json = await slipway(['cluster', 'get', 'dev', '-n', NS, '--kubeconfig', t.plane.kubeconfigPath, '-o', 'json']);
    assert.equal(json.code, 0, json.stderr);
    const list = JSON.parse(json.stdout) as { apiVersion: string; kind: string; items: KubeObject[] };
    assert.equal(list.apiVersion, 'v1');
    assert.equal(list.kind, 'List');
    const ids = list.items.map((o) => `${o.kind}/${o.metadata?.name}`);
    assert.deepEqual(ids.slice(0, 6), ['Cluster/dev', 'SimCluster/dev', 'KubeadmControlPlane/dev-control-plane', 'Machine/dev-control-plane-abc12', 'KubeadmConfig/dev-control-plane-abc12', 'SimMachine/dev-control-plane-abc12']);
    assert.equal(ids.length, 3 + 3 * 3 + 2 + 3 * 3);
    assert.ok(ids.includes('MachineDeployment/dev-md-0') && ids.includes('MachineSet/dev-md-0-7d9f8'));
    for (const o of list.items) {
      assert.ok(o.apiVersion && o.metadata?.uid, `${o.kind}/${o.metadata?.name} is a whole object`);
      assert.equal(o.metadata?.managedFields, undefined);
    }
    const failed = list.items.find((o) => o.metadata?.name === 'dev-md-0-7d9f8-x9y8z' && o.kind === 'Machine') as { status: { conditions: { type: string; message?: string }[] } };
    assert.equal(failed.status.conditions.find((c) => c.type === 'Ready')?.message, FAILURE);

    const yaml = await slipway(['cluster', 'get', 'dev', '-n', NS, '--kubeconfig', t.plane.kubeconfigPath, '-o', 'yaml']);
    assert.equal(yaml.code, 0, yaml.stderr);
    assert.deepEqual(parse(yaml.stdout), list);
  });

  it("finds the management plane through KUBECONFIG or ~/.slipway/admin.kubeconfig, and the namespace in the context", async () => {
    const admin = parse(readFileSync(t.plane.kubeconfigPath, 'utf8')) as { contexts: { context: Record<string, string> }[] };
    admin.contexts[0]!.context.namespace = NS;
    const home = join(dir, 'home');
    mkdirSync(join(home, '.slipway'), { recursive: true });
    writeFileSync(join(home, '.slipway', 'admin.kubeconfig'), stringify(admin));
    const viaHome = await slipway(['cluster', 'get', 'dev'], { HOME: home });
    assert.equal(viaHome.code, 0, viaHome.stderr);
    assert.equal(rows(viaHome.stdout)[0]!.name, 'Cluster/dev');
    const viaEnv = await slipway(['cluster', 'get', 'dev', '-o', 'json'], { KUBECONFIG: join(home, '.slipway', 'admin.kubeconfig'), HOME: dir });
    assert.equal(viaEnv.code, 0, viaEnv.stderr);
    assert.equal((JSON.parse(viaEnv.stdout) as { items: KubeObject[] }).items[0]!.metadata?.namespace, NS);
  });

  it('fails with one line naming the cluster and namespace when it does not exist', async () => {
    const r = await slipway(['cluster', 'get', 'nope', '-n', NS, '--kubeconfig', t.plane.kubeconfigPath]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `error: cluster ${NS}/nope not found\n`);
    const elsewhere = await slipway(['cluster', 'get', 'dev', '--kubeconfig', t.plane.kubeconfigPath]);
    assert.equal(elsewhere.stderr, 'error: cluster default/dev not found\n', 'without -n: the context namespace, else default');
    const noPlane = await slipway(['cluster', 'get', 'dev', '--kubeconfig', join(dir, 'missing.kubeconfig')]);
    assert.equal(noPlane.code, 1);
    assert.match(noPlane.stderr, /^error: cannot read kubeconfig .*missing\.kubeconfig.*\n$/);
    const badFilter = await slipway(['cluster', 'get', 'dev', '-n', NS, '--kubeconfig', t.plane.kubeconfigPath, '--show-conditions', 'all, Machine']);
    assert.equal(badFilter.code, 1);
    assert.match(badFilter.stderr, /whitespace is not allowed/);
  });

  it('kubeconfig get: a clear error until the Secret exists, then prints it or exports it with mode 0600', async () => {
    const early = await slipway(['cluster', 'kubeconfig', 'get', 'dev', '-n', NS, '--kubeconfig', t.plane.kubeconfigPath]);
    assert.equal(early.code, 1);
    assert.equal(early.stderr, `error: cluster ${NS}/dev has no kubeconfig yet: its control plane is not initialized (Secret ${NS}/dev-kubeconfig not found)\n`);
    const missing = await slipway(['cluster', 'kubeconfig', 'get', 'nope', '-n', NS, '--kubeconfig', t.plane.kubeconfigPath]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, new RegExp(`^error: cluster ${NS}/nope not found`));

    // The Secret as the control plane writes it; its kubeconfig reaches this plane, so kubectl can prove it works.
    const value = readFileSync(t.plane.kubeconfigPath, 'utf8');
    await client.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'dev-kubeconfig', namespace: NS, labels: { 'cluster.x-k8s.io/cluster-name': 'dev' } },
      type: 'cluster.x-k8s.io/secret',
      data: { value: Buffer.from(value).toString('base64') },
    });
    const printed = await slipway(['cluster', 'kubeconfig', 'get', 'dev', '-n', NS, '--kubeconfig', t.plane.kubeconfigPath]);
    assert.equal(printed.code, 0, printed.stderr);
    assert.equal(printed.stdout.trimEnd(), value.trimEnd());
    const doc = parse(printed.stdout) as { kind: string; clusters: unknown[]; users: unknown[]; 'current-context': string };
    assert.equal(doc.kind, 'Config');
    assert.ok(doc.clusters.length && doc.users.length && doc['current-context']);

    const file = join(dir, 'dev.kubeconfig');
    writeFileSync(file, 'stale', { mode: 0o644 });
    const exported = await slipway(['cluster', 'kubeconfig', 'get', 'dev', '-n', NS, '--kubeconfig', t.plane.kubeconfigPath, '--export-file', file]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, new RegExp(`written to ${file.replace(/[.]/g, '\\.')}\\n`));
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(readFileSync(file, 'utf8').trimEnd(), value.trimEnd());
    const nodes = await kubectl(file, ['get', 'namespaces', '-o', 'name']);
    assert.equal(nodes.code, 0, nodes.stderr);
    assert.match(nodes.stdout, new RegExp(`namespace/${NS}`));
  });
});
