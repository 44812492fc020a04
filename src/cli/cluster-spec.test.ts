import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Cluster } from '../api/cluster/types.js';
import { applyVariableSettings, buildCluster, parsePoolReplicas, parseSettingPath, parseSettingValue, parseWorkerPool, UsageError, type ClusterCreateFlags } from './cluster-spec.js';

function build(flags: Partial<ClusterCreateFlags>, facts = {}): Cluster {
  return buildCluster({ name: 'dev', namespace: 'default', ...flags }, facts);
}

function fails(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof UsageError, `expected a UsageError, got ${String(e)}`);
    assert.match(e.message, pattern);
    return true;
  });
}

describe('buildCluster', () => {
  it('defaults: the default class, its version constant, one control-plane replica, pool md-0 of class linux', () => {
    assert.deepEqual(build({}), {
      apiVersion: 'cluster.x-k8s.io/v1beta1',
      kind: 'Cluster',
      metadata: { name: 'dev', namespace: 'default' },
      spec: {
        topology: {
          class: 'slipway-default',
          version: 'v1.32.0',
          controlPlane: { replicas: 1 },
          workers: { machineDeployments: [{ class: 'linux', name: 'md-0', replicas: 1 }] },
        },
      },
    });
  });

  it("takes the class's newest version and namespace when the flags do not name them", () => {
    const c = build({ namespace: 'team-a' }, { newestVersion: 'v1.31.4', classNamespace: 'default' });
    assert.equal(c.spec?.topology?.version, 'v1.31.4');
    assert.equal(c.spec?.topology?.classNamespace, 'default');
    assert.equal(c.metadata?.namespace, 'team-a');
    assert.equal(build({ kubernetesVersion: '1.30.1' }, { newestVersion: 'v1.31.4' }).spec?.topology?.version, 'v1.30.1');
  });

  it('flags: class, version, control-plane replicas, --workers N, repeated --worker-pool', () => {
    const c = build({ className: 'mine', kubernetesVersion: 'v1.31.0', controlPlaneReplicas: '3', workerPools: ['md-0=linux:2', 'win=windows:1', 'spare=linux'] });
    assert.deepEqual(c.spec?.topology, {
      class: 'mine',
      version: 'v1.31.0',
      controlPlane: { replicas: 3 },
      workers: {
        machineDeployments: [
          { class: 'linux', name: 'md-0', replicas: 2 },
          { class: 'windows', name: 'win', replicas: 1 },
          { class: 'linux', name: 'spare', replicas: 1 },
        ],
      },
    });
    assert.deepEqual(build({ workers: '4' }).spec?.topology?.workers, { machineDeployments: [{ class: 'linux', name: 'md-0', replicas: 4 }] });
    assert.deepEqual(build({ workers: '0' }).spec?.topology?.workers, { machineDeployments: [{ class: 'linux', name: 'md-0', replicas: 0 }] });
  });

  it('--set addresses a variable and a path in its value; several --set of one variable merge', () => {
    const c = build({
      settings: [
        { text: 'controlPlane.machine.numCPUs=4' },
        { text: 'controlPlane.machine.memoryMiB=8192' },
        { text: 'controlPlane.nodeLabels=[{key: tier, value: control}]' },
        { text: 'cni=calico' },
        { text: 'proxy={httpProxy: "http://p:3128", noProxy: [a, b]}' },
        { text: 'auditLogging.enabled=true' },
        { text: 'ntpServers[0]=time1' },
        { text: 'ntpServers[1]=time2' },
        { text: 'apiServerExtraArgs.audit-log-maxage=30' },
        { text: 'apiServerExtraArgs.audit-log-maxbackup=10', asString: true },
        { text: 'nodePoolLabels[0].key=a\\.b' },
      ],
    });
    assert.deepEqual(c.spec?.topology?.variables, [
      { name: 'controlPlane', value: { machine: { numCPUs: 4, memoryMiB: 8192 }, nodeLabels: [{ key: 'tier', value: 'control' }] } },
      { name: 'cni', value: 'calico' },
      { name: 'proxy', value: { httpProxy: 'http://p:3128', noProxy: ['a', 'b'] } },
      { name: 'auditLogging', value: { enabled: true } },
      { name: 'ntpServers', value: ['time1', 'time2'] },
      { name: 'apiServerExtraArgs', value: { 'audit-log-maxage': 30, 'audit-log-maxbackup': '10' } },
      { name: 'nodePoolLabels', value: [{ key: 'a\\.b' }] },
    ]);
  });

  it('escaped dots name one key; --set-string keeps text; --set-string applies after --set', () => {
    const vars = applyVariableSettings([], [{ text: 'nodeLabels.example\\.com/tier=1' }]);
    assert.deepEqual(vars, [{ name: 'nodeLabels', value: { 'example.com/tier': 1 } }]);
    const c = build({ settings: [{ text: 'x.a=true', asString: true }, { text: 'x.a=false' }, { text: 'x.b=007', asString: true }] });
    assert.deepEqual(c.spec?.topology?.variables, [{ name: 'x', value: { a: 'true', b: '007' } }]);
  });

  it('-f is the starting point: its fields survive, flags override, --set merges into its variables', () => {
    const base: Cluster = {
      apiVersion: 'cluster.x-k8s.io/v1beta1',
      kind: 'Cluster',
      metadata: { name: 'from-file', namespace: 'ignored', labels: { env: 'test' }, uid: 'x', resourceVersion: '5' },
      spec: {
        clusterNetwork: { pods: { cidrBlocks: ['10.0.0.0/16'] } },
        topology: {
          class: 'filed',
          version: 'v1.30.0',
          controlPlane: { replicas: 3, metadata: { labels: { a: 'b' } } },
          workers: { machineDeployments: [{ class: 'linux', name: 'md-0', replicas: 2, nodeDrainTimeout: '1m' }, { class: 'windows', name: 'w', replicas: 1 }] },
          variables: [{ name: 'controlPlane', value: { machine: { numCPUs: 2, memoryMiB: 4096 } } }, { name: 'cni', value: 'antrea' }],
        },
      },
    };
    const c = buildCluster(
      { name: 'dev', namespace: 'team-a', base, kubernetesVersion: 'v1.31.1', workerPools: ['md-0=linux:5'], settings: [{ text: 'controlPlane.machine.numCPUs=8' }] },
      { newestVersion: 'v1.99.0' },
    );
    assert.deepEqual(c.metadata, { name: 'dev', namespace: 'team-a', labels: { env: 'test' } });
    assert.deepEqual(c.spec?.clusterNetwork, { pods: { cidrBlocks: ['10.0.0.0/16'] } });
    assert.deepEqual(c.spec?.topology, {
      class: 'filed',
      version: 'v1.31.1',
      controlPlane: { replicas: 3, metadata: { labels: { a: 'b' } } },
      workers: { machineDeployments: [{ class: 'linux', name: 'md-0', replicas: 5, nodeDrainTimeout: '1m' }, { class: 'windows', name: 'w', replicas: 1 }] },
      variables: [{ name: 'controlPlane', value: { machine: { numCPUs: 8, memoryMiB: 4096 } } }, { name: 'cni', value: 'antrea' }],
    });
    assert.equal(base.spec?.topology?.variables?.[0]?.value && (base.spec.topology.variables[0].value as { machine: { numCPUs: number } }).machine.numCPUs, 2, 'the -f object is not changed');
    // the file's name and version are used when the flags give none
    const plain = buildCluster({ namespace: 'default', base }, { newestVersion: 'v1.99.0' });
    assert.equal(plain.metadata?.name, 'from-file');
    assert.equal(plain.spec?.topology?.version, 'v1.30.0');
    assert.equal(plain.spec?.topology?.workers?.machineDeployments?.length, 2);
    fails(() => buildCluster({ namespace: 'default', base, workers: '3' }), /^--workers 3: -f has 2 worker pools \(md-0, w\)/);
  });

  it('-f must hold a v1beta1 Cluster', () => {
    fails(() => buildCluster({ namespace: 'd', name: 'x', base: { apiVersion: 'v1', kind: 'ConfigMap' }, baseSource: 'c.yaml' }), /^c\.yaml: expected a cluster\.x-k8s\.io\/v1beta1 Cluster, got v1 ConfigMap$/);
    fails(() => buildCluster({ namespace: 'd', name: 'x', base: { apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster' }, baseSource: 'c.yaml' }), /apiVersion cluster\.x-k8s\.io\/v1beta2 is not served/);
  });

  it('errors name the flag and the value', () => {
    fails(() => build({ controlPlaneReplicas: 'three' }), /^--control-plane-replicas "three": must be a whole number/);
    fails(() => build({ controlPlaneReplicas: '-1' }), /^--control-plane-replicas "-1"/);
    fails(() => build({ workers: '1.5' }), /^--workers "1\.5": must be a whole number/);
    fails(() => build({ kubernetesVersion: 'latest' }), /^--kubernetes-version "latest": must be a Kubernetes version such as v1\.32\.0$/);
    fails(() => build({ workers: '2', workerPools: ['a=linux:1'] }), /^--workers and --worker-pool cannot be used together/);
    fails(() => build({ workerPools: ['md-0=linux:1', 'md-0=windows:2'] }), /^--worker-pool "md-0=windows:2": pool md-0 is given twice$/);
    fails(() => build({ name: 'Dev_1' }), /^cluster name "Dev_1"/);
    fails(() => build({ name: '' }), /cluster name is missing/);
    fails(() => build({ settings: [{ text: 'cni' }] }), /^--set "cni": use VARIABLE\.PATH=VALUE/);
    fails(() => build({ settings: [{ text: '=x' }] }), /^--set "=x": the variable name is missing/);
    fails(() => build({ settings: [{ text: 'a..b=1' }] }), /^--set "a\.\.b=1": empty name in the path$/);
    fails(() => build({ settings: [{ text: 'a=[1, 2' }] }), /^--set "a=\[1, 2": the value is not valid YAML/);
    fails(() => build({ settings: [{ text: 'cni=calico' }, { text: 'cni.name=x' }] }), /^--set "cni\.name=x": cannot set field "name" inside "calico" \(a string\): it is not an object$/);
    fails(() => build({ settings: [{ text: 'ntp[2]=x' }] }), /^--set "ntp\[2\]=x": index \[2\] is past the end of a list of 0 \(the next index is \[0\]\)$/);
    fails(() => build({ settings: [{ text: 'p.q=1' }, { text: 'p[0]=1' }] }), /^--set "p\[0\]=1": cannot index an object with \[0\]/);
    fails(() => build({ settings: [{ text: 'x[a]=1', asString: true }] }), /^--set-string "x\[a\]=1": list index "\[a\]" must be \[N\]/);
  });
});

describe('flag values', () => {
  it('parseSettingValue: YAML scalars and flow collections; anything else is a string', () => {
    const v = (s: string): unknown => parseSettingValue('--set', `x=${s}`, s);
    assert.equal(v('4'), 4);
    assert.equal(v('1.5'), 1.5);
    assert.equal(v('true'), true);
    assert.equal(v('False'), false);
    assert.equal(v('yes'), 'yes');
    assert.equal(v('null'), null);
    assert.equal(v(''), '');
    assert.equal(v('"4"'), '4');
    assert.equal(v("'a: b'"), 'a: b');
    assert.equal(v('a: b'), 'a: b');
    assert.equal(v('- a'), '- a');
    assert.equal(v('#x'), '#x');
    assert.equal(v('http://proxy:3128'), 'http://proxy:3128');
    assert.equal(v('10.0.0.0/8,.local'), '10.0.0.0/8,.local');
    assert.deepEqual(v('[a, 2, true]'), ['a', 2, true]);
    assert.deepEqual(v('{k: v, n: {m: 1}}'), { k: 'v', n: { m: 1 } });
    assert.deepEqual(v('[]'), []);
  });

  it('parseSettingPath', () => {
    assert.deepEqual(parseSettingPath('--set', 't', 'a.b.c'), ['a', 'b', 'c']);
    assert.deepEqual(parseSettingPath('--set', 't', 'a[0].b[12]'), ['a', 0, 'b', 12]);
    assert.deepEqual(parseSettingPath('--set', 't', 'a\\.b\\[c'), ['a.b[c']);
    fails(() => parseSettingPath('--set', 't', 'a[0]b'), /expected "\." or "\[" after "a\[0\]"/);
    fails(() => parseSettingPath('--set', 't', '[0]'), /a list index must follow a name/);
  });

  it('parseWorkerPool and parsePoolReplicas', () => {
    assert.deepEqual(parseWorkerPool('md-1=windows:2'), { name: 'md-1', class: 'windows', replicas: 2 });
    assert.deepEqual(parseWorkerPool('md-1=linux'), { name: 'md-1', class: 'linux', replicas: 1 });
    fails(() => parseWorkerPool('md-1'), /^--worker-pool "md-1": use NAME=CLASS:REPLICAS/);
    fails(() => parseWorkerPool('MD=linux:1'), /pool name "MD" must be a DNS label/);
    fails(() => parseWorkerPool('md=:1'), /the worker class is missing/);
    fails(() => parseWorkerPool('md=linux:x'), /^--worker-pool md=linux: "x": must be a whole number/);
    assert.deepEqual(parsePoolReplicas('md-0=3'), { name: 'md-0', replicas: 3 });
    fails(() => parsePoolReplicas('md-0'), /^--worker-pool "md-0": use NAME=REPLICAS/);
    fails(() => parsePoolReplicas('md-0=-2'), /^--worker-pool md-0= "-2"/);
  });
});
