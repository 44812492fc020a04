/** Patch selectors, value paths, builtins, validation and application order (parts that need no template engine). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { causeMessage } from '../apimachinery/errors.js';
import { clusterBuiltins, controlPlaneBuiltins, ipFamily, machineDeploymentBuiltins, machinePoolBuiltins, mergeVariables } from './builtins.js';
import { applyPatches, calculateValue, matchesClassName, PatchError, selectorMatches, validatePatches, type PatchItem } from './patches.js';
import { parseRenderedValue } from './patch-values.js';
import { noTemplates } from './template-renderer.js';
import type { Cluster, ClusterClass, ClusterClassPatch } from './types.js';
import { getVariableValue, VariablePathError } from './value-path.js';

describe('valueFrom.variable paths', () => {
  const vars = {
    vcenter: { server: 'vc', disks: [{ size: 10 }, { size: 20 }] },
    list: ['a', 'b'],
    n: 3,
    builtin: { cluster: { name: 'c1', network: { pods: ['10.0.0.0/8'] } } },
  };
  const ok: [string, unknown][] = [
    ['n', 3],
    ['vcenter', vars.vcenter],
    ['vcenter.server', 'vc'],
    ['vcenter.disks[1].size', 20],
    ['vcenter.disks[0]', { size: 10 }],
    ['list[1]', 'b'],
    ['builtin.cluster.name', 'c1'],
    ['builtin.cluster.network.pods[0]', '10.0.0.0/8'],
  ];
  for (const [p, want] of ok) it(`${p}`, () => assert.deepEqual(getVariableValue(vars, p), want));
  const bad: [string, string][] = [
    ['nope', 'variable "nope" does not exist'],
    ['vcenter.port', 'variable "vcenter.port" does not exist: failed to lookup segment "port"'],
    ['vcenter.disks[5]', 'variable "vcenter.disks[5]" is invalid: array does not have index 5'],
    ['vcenter.server[0]', 'variable "vcenter.server[0]" is invalid: failed to get array "server": value doesn\'t contain array; it contains string'],
    ['list[x]', 'variable "list[x]" is invalid: failed to parse array index in path segment "list[x]": strconv.Atoi: parsing "x": invalid syntax'],
    ['vcenter.disks[0', 'variable "vcenter.disks[0" has invalid syntax: failed to parse path segment "disks[0"'],
    ['n.x', 'variable "n.x" does not exist: failed to lookup segment "x"'],
  ];
  for (const [p, msg] of bad) {
    it(`error: ${p}`, () => assert.throws(() => getVariableValue(vars, p), (e: unknown) => e instanceof VariablePathError && e.message === msg));
  }
});

describe('class-name selectors', () => {
  const cases: [string, string, boolean][] = [
    ['*', 'anything', true],
    ['default-worker', 'default-worker', true],
    ['default-worker', 'default-worker-2', false],
    ['default-*', 'default-worker', true],
    ['default-*', 'gpu-worker', false],
    ['*-gpu', 'tkg-worker-gpu', true],
    ['*-gpu', 'tkg-worker-gpu-2', false],
    ['tkg-worker*', 'tkg-worker', true],
  ];
  for (const [pattern, name, want] of cases) it(`${pattern} ~ ${name} = ${want}`, () => assert.equal(matchesClassName(pattern, name), want));

  const item = (role: PatchItem['role'], kind: string, workerClass?: string): PatchItem => ({
    role,
    object: { apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1', kind },
    variables: {},
    workerClass,
  });
  const sel = (kind: string, m: Record<string, unknown>) => ({ apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1', kind, matchResources: m });
  it('matchResources picks the holder, not only the kind', () => {
    const cpMachine = item('controlPlaneMachineInfrastructure', 'DockerMachineTemplate');
    const mdMachine = item('machineDeploymentInfrastructure', 'DockerMachineTemplate', 'default-worker');
    const mpMachine = item('machinePoolInfrastructure', 'DockerMachinePoolTemplate', 'pool');
    assert.equal(selectorMatches(sel('DockerMachineTemplate', { controlPlane: true }), cpMachine), true);
    assert.equal(selectorMatches(sel('DockerMachineTemplate', { controlPlane: true }), mdMachine), false);
    assert.equal(selectorMatches(sel('DockerMachineTemplate', { machineDeploymentClass: { names: ['default-*'] } }), mdMachine), true);
    assert.equal(selectorMatches(sel('DockerMachineTemplate', { machineDeploymentClass: { names: ['other'] } }), mdMachine), false);
    assert.equal(selectorMatches(sel('DockerMachinePoolTemplate', { machinePoolClass: { names: ['*'] } }), mpMachine), true);
    assert.equal(selectorMatches(sel('DockerMachinePoolTemplate', { machineDeploymentClass: { names: ['*'] } }), mpMachine), false);
    assert.equal(selectorMatches({ ...sel('DockerMachineTemplate', { controlPlane: true }), apiVersion: 'infrastructure.cluster.x-k8s.io/v1alpha4' }, cpMachine), false);
    assert.equal(selectorMatches(sel('DockerClusterTemplate', { infrastructureCluster: true }), item('infrastructureCluster', 'DockerClusterTemplate')), true);
  });
});

describe('builtin variables', () => {
  const cluster: Cluster = {
    apiVersion: 'cluster.x-k8s.io/v1beta1',
    kind: 'Cluster',
    metadata: { name: 'c1', namespace: 'ns', uid: 'u-1', labels: { env: 'prod' } },
    spec: {
      clusterNetwork: { pods: { cidrBlocks: ['192.168.0.0/16'] }, services: { cidrBlocks: ['10.128.0.0/12'] }, serviceDomain: 'cluster.local' },
      topology: { class: 'quick-start', version: 'v1.25.4' },
    },
  };
  it('cluster', () => {
    assert.deepEqual(clusterBuiltins(cluster), {
      cluster: {
        name: 'c1',
        namespace: 'ns',
        uid: 'u-1',
        metadata: { labels: { env: 'prod' } },
        topology: { version: 'v1.25.4', class: 'quick-start', classNamespace: 'ns' },
        network: { serviceDomain: 'cluster.local', services: ['10.128.0.0/12'], pods: ['192.168.0.0/16'], ipFamily: 'IPv4' },
      },
    });
    const bare: Cluster = { metadata: { name: 'b', namespace: 'x' }, spec: { topology: { class: 'k', classNamespace: 'shared', version: 'v1.2.3' } } };
    assert.deepEqual(clusterBuiltins(bare), { cluster: { name: 'b', namespace: 'x', topology: { version: 'v1.2.3', class: 'k', classNamespace: 'shared' } } });
  });
  it('ipFamily', () => {
    const withNet = (pods: string[], services: string[]): Cluster => ({ spec: { clusterNetwork: { pods: { cidrBlocks: pods }, services: { cidrBlocks: services } } } });
    assert.equal(ipFamily(withNet([], [])), 'IPv4');
    assert.equal(ipFamily(withNet(['fd00::/64'], [])), 'IPv6');
    assert.equal(ipFamily(withNet(['10.0.0.0/8', 'fd00::/64'], ['10.1.0.0/16'])), 'DualStack');
    assert.equal(ipFamily(withNet(['10.0.0.0/8'], ['fd00::/108'])), 'Invalid');
    assert.equal(ipFamily(withNet(['a', 'b', 'c'], [])), 'Invalid');
  });
  it('control plane: replicas only when the topology sets them', () => {
    const cp = { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'KubeadmControlPlane', metadata: { name: 'c1-abcde', labels: { a: 'b' } }, spec: { version: 'v1.25.4', replicas: 3 } };
    assert.deepEqual(controlPlaneBuiltins({ replicas: 3 }, cp, { metadata: { name: 'c1-xyz12' } }), {
      controlPlane: { version: 'v1.25.4', name: 'c1-abcde', replicas: 3, metadata: { labels: { a: 'b' } }, machineTemplate: { infrastructureRef: { name: 'c1-xyz12' } } },
    });
    assert.deepEqual(controlPlaneBuiltins({}, cp), { controlPlane: { version: 'v1.25.4', name: 'c1-abcde', metadata: { labels: { a: 'b' } } } });
  });
  it('machine deployment and machine pool', () => {
    const md = { metadata: { name: 'c1-md-0-abcde' }, spec: { replicas: 2, template: { spec: { version: 'v1.25.4' } } } };
    assert.deepEqual(machineDeploymentBuiltins({ class: 'default-worker', name: 'md-0' }, md, { metadata: { name: 'b1' } }, { metadata: { name: 'i1' } }), {
      machineDeployment: { version: 'v1.25.4', class: 'default-worker', name: 'c1-md-0-abcde', topologyName: 'md-0', replicas: 2, bootstrap: { configRef: { name: 'b1' } }, infrastructureRef: { name: 'i1' } },
    });
    const mp = { metadata: { name: 'c1-mp-0-abcde' }, spec: { template: { spec: { version: 'v1.25.4' } } } };
    assert.deepEqual(machinePoolBuiltins({ class: 'pool', name: 'mp-0' }, mp), { machinePool: { version: 'v1.25.4', class: 'pool', name: 'c1-mp-0-abcde', topologyName: 'mp-0' } });
  });
  it('template variables merge over globals; builtin sections accumulate', () => {
    const merged = mergeVariables({ a: 1, b: 2, builtin: { cluster: { name: 'c' } } }, { b: 3, builtin: { controlPlane: { name: 'cp' } } });
    assert.deepEqual(merged, { a: 1, b: 3, builtin: { cluster: { name: 'c' }, controlPlane: { name: 'cp' } } });
  });
});

describe('rendered values', () => {
  const cases: [string, unknown][] = [
    ['true', true],
    ['  true\n', true],
    ['True', true],
    ['yes', true],
    ['false', false],
    ['', null],
    ['42', 42],
    ['3.5', 3.5],
    ['0777', 511],
    ['kindest/node:v1.25.4', 'kindest/node:v1.25.4'],
    ['my-cluster', 'my-cluster'],
    ['{"a": [1, 2]}', { a: [1, 2] }],
    ['["x","y"]', ['x', 'y']],
    ['host: 10.0.0.1\nport: 6443\n', { host: '10.0.0.1', port: 6443 }],
    ['- a\n- b\n', ['a', 'b']],
    ['"quoted: value"', 'quoted: value'],
  ];
  for (const [text, want] of cases) it(JSON.stringify(text), () => assert.deepEqual(parseRenderedValue(text), want));
});

describe('applying patches', () => {
  const tpl = () => ({ apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1', kind: 'DockerClusterTemplate', metadata: { name: 't' }, spec: { template: { spec: { list: ['a'] } } } });
  const sel = { apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1', kind: 'DockerClusterTemplate', matchResources: { infrastructureCluster: true } };
  const run = (patches: ClusterClassPatch[], globals: Record<string, unknown> = {}) => {
    const item: PatchItem = { role: 'infrastructureCluster', object: tpl(), variables: {} };
    applyPatches(patches, [item], globals, noTemplates);
    return item.object.spec;
  };

  it('patches apply in order; each sees the previous output', () => {
    const spec = run([
      { name: 'first', definitions: [{ selector: sel, jsonPatches: [{ op: 'add', path: '/spec/template/spec/lb', value: { image: 'a' } }] }] },
      { name: 'second', definitions: [{ selector: sel, jsonPatches: [{ op: 'replace', path: '/spec/template/spec/lb/image', valueFrom: { variable: 'img' } }] }] },
      { name: 'third', definitions: [{ selector: sel, jsonPatches: [{ op: 'add', path: '/spec/template/spec/list/-', valueFrom: { variable: 'builtin.cluster.name' } }, { op: 'add', path: '/spec/template/spec/list/0', value: 'first' }] }] },
      { name: 'fourth', definitions: [{ selector: sel, jsonPatches: [{ op: 'remove', path: '/spec/template/spec/lb' }] }, { selector: sel, jsonPatches: [{ op: 'add', path: '/spec/template/spec/done', value: true }] }] },
    ], { img: 'b', builtin: { cluster: { name: 'c1' } } });
    assert.deepEqual(spec, { template: { spec: { list: ['first', 'a', 'c1'], done: true } } });
  });

  it('values are copied, never shared between templates', () => {
    const shared = { nested: { x: 1 } };
    const items: PatchItem[] = [
      { role: 'infrastructureCluster', object: tpl(), variables: {} },
      { role: 'infrastructureCluster', object: tpl(), variables: {} },
    ];
    applyPatches([{ name: 'p', definitions: [{ selector: sel, jsonPatches: [{ op: 'add', path: '/spec/template/spec/v', valueFrom: { variable: 'shared' } }] }] }], items, { shared }, noTemplates);
    ((items[0]!.object.spec as { template: { spec: { v: { nested: { x: number } } } } }).template.spec.v.nested).x = 2;
    assert.equal(shared.nested.x, 1);
    assert.deepEqual((items[1]!.object.spec as { template: { spec: unknown } }).template.spec, { list: ['a'], v: { nested: { x: 1 } } });
  });

  it('errors name the patch, the definition and JSON patch index and the pointer', () => {
    const failing = (p: ClusterClassPatch, globals: Record<string, unknown> = {}) => {
      try {
        run([p], globals);
      } catch (e) {
        assert.ok(e instanceof PatchError, String(e));
        return `${e.field}: ${e.message}`;
      }
      assert.fail('expected a PatchError');
    };
    assert.equal(
      failing({ name: 'missing', definitions: [{ selector: sel, jsonPatches: [{ op: 'add', path: '/spec/template/spec/a', value: 1 }, { op: 'add', path: '/spec/template/spec/x', valueFrom: { variable: 'nope' } }] }] }),
      'spec.patches[missing].definitions[0].jsonPatches[1]: patch "missing" definitions[0].jsonPatches[1] (add /spec/template/spec/x) on DockerClusterTemplate "t": failed to calculate value: variable "nope" does not exist',
    );
    assert.equal(
      failing({ name: 'replace-missing', definitions: [{ selector: sel, jsonPatches: [{ op: 'replace', path: '/spec/template/spec/none/x', value: 1 }] }] }),
      'spec.patches[replace-missing].definitions[0].jsonPatches[0].path: patch "replace-missing" definitions[0].jsonPatches[0] (replace /spec/template/spec/none/x) on DockerClusterTemplate "t": failed to apply patch: error applying json patch (RFC6902): replace operation does not apply: doc is missing key: /spec/template/spec/none/x: missing value',
    );
    assert.equal(
      failing({ name: 'outside-spec', definitions: [{ selector: sel, jsonPatches: [{ op: 'add', path: '/metadata/labels', value: {} }] }] }),
      'spec.patches[outside-spec].definitions[0].jsonPatches[0].path: patch "outside-spec" definitions[0].jsonPatches[0] (add /metadata/labels) on DockerClusterTemplate "t": jsonPatch path must start with "/spec/"',
    );
    assert.match(failing({ name: 'tpl', definitions: [{ selector: sel, jsonPatches: [{ op: 'add', path: '/spec/template/spec/x', valueFrom: { template: '{{ .a }}' } }] }] }), /no Go template engine is configured/);
  });

  it('calculateValue refuses ambiguous definitions', () => {
    assert.throws(() => calculateValue(noTemplates, { op: 'add', path: '/spec/x' }, {}), /neither .value nor .valueFrom are set/);
    assert.throws(() => calculateValue(noTemplates, { op: 'add', path: '/spec/x', value: 1, valueFrom: { variable: 'a' } }, {}), /both .value and .valueFrom are set/);
    assert.throws(() => calculateValue(noTemplates, { op: 'add', path: '/spec/x', valueFrom: {} }, {}), /neither .valueFrom.variable nor .valueFrom.template/);
    assert.throws(() => calculateValue(noTemplates, { op: 'add', path: '/spec/x', valueFrom: { variable: 'a', template: 'b' } }, { a: 1 }), /both .valueFrom.variable and .valueFrom.template/);
  });
});

describe('patch validation', () => {
  const cc = (patches: ClusterClassPatch[]): ClusterClass => ({
    apiVersion: 'cluster.x-k8s.io/v1beta1',
    kind: 'ClusterClass',
    metadata: { name: 'k' },
    spec: {
      infrastructure: { ref: { apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1', kind: 'DockerClusterTemplate', name: 'c' } },
      controlPlane: {
        ref: { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'KubeadmControlPlaneTemplate', name: 'cp' },
        machineInfrastructure: { ref: { apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1', kind: 'DockerMachineTemplate', name: 'cpm' } },
      },
      workers: {
        machineDeployments: [
          {
            class: 'default-worker',
            template: {
              bootstrap: { ref: { apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta1', kind: 'KubeadmConfigTemplate', name: 'b' } },
              infrastructure: { ref: { apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1', kind: 'DockerMachineTemplate', name: 'm' } },
            },
          },
        ],
      },
      variables: [{ name: 'image', schema: { openAPIV3Schema: { type: 'string' } } }],
      patches,
    },
  });
  const md = { apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta1', kind: 'DockerMachineTemplate' };
  const v = (patches: ClusterClassPatch[]) => validatePatches(cc(patches)).map(causeMessage);

  it('accepts well-formed patches', () => {
    assert.deepEqual(
      v([
        {
          name: 'ok',
          definitions: [
            {
              selector: { ...md, matchResources: { controlPlane: true, machineDeploymentClass: { names: ['default-*'] } } },
              jsonPatches: [
                { op: 'add', path: '/spec/template/spec/customImage', valueFrom: { variable: 'image' } },
                { op: 'add', path: '/spec/template/spec/list/-', valueFrom: { variable: 'builtin.machineDeployment.version' } },
                { op: 'add', path: '/spec/template/spec/list/0', value: 'x' },
                { op: 'remove', path: '/spec/template/spec/other' },
              ],
            },
          ],
        },
      ]),
      [],
    );
  });

  it('reports every rule with its path', () => {
    const got = v([
      { name: '', definitions: [] },
      { name: 'dup', definitions: [{ selector: { ...md, matchResources: {} }, jsonPatches: [] }] },
      {
        name: 'dup',
        definitions: [
          {
            selector: { ...md, matchResources: { infrastructureCluster: true, machineDeploymentClass: { names: ['a*b', '**', 'nomatch'] } } },
            jsonPatches: [
              { op: 'move', path: '/spec/a' },
              { op: 'add', path: '/metadata/x', value: 1 },
              { op: 'add', path: '/spec/list/2', value: 1 },
              { op: 'replace', path: '/spec/list/0', value: 1 },
              { op: 'add', path: '/spec/x' },
              { op: 'add', path: '/spec/x', valueFrom: { variable: 'missing.field' } },
              { op: 'add', path: '/spec/x', valueFrom: { variable: 'builtin.cluster.nope' } },
            ],
          },
        ],
      },
    ]);
    const fields = got.map((l) => l.slice(0, l.indexOf(': ')));
    assert.deepEqual(fields, [
      'spec.patches[0].name',
      'spec.patches[1].definitions[0].selector',
      'spec.patches[2].name',
      'spec.patches[2].definitions[0].jsonPatches[0].op',
      'spec.patches[2].definitions[0].jsonPatches[1].path',
      'spec.patches[2].definitions[0].jsonPatches[2].path',
      'spec.patches[2].definitions[0].jsonPatches[3].path',
      'spec.patches[2].definitions[0].jsonPatches[4]',
      'spec.patches[2].definitions[0].jsonPatches[5].valueFrom.variable',
      'spec.patches[2].definitions[0].jsonPatches[6].valueFrom.variable',
      'spec.patches[2].definitions[0].selector.matchResources.infrastructureCluster',
      'spec.patches[2].definitions[0].selector.matchResources.machineDeploymentClass.names[0]',
      'spec.patches[2].definitions[0].selector.matchResources.machineDeploymentClass.names[1]',
      'spec.patches[2].definitions[0].selector.matchResources.machineDeploymentClass.names[2]',
    ]);
    assert.ok(got.includes('spec.patches[0].name: Required value: patch name must be defined'));
    assert.ok(got.includes('spec.patches[2].name: Invalid value: "dup": patch names must be unique. Patch with name "dup" is defined more than once'));
    assert.ok(got.includes('spec.patches[2].definitions[0].jsonPatches[2].path: Invalid value: "/spec/list/2": arrays can only be accessed using "0" (prepend) or "-" (append)'));
    assert.ok(got.includes('spec.patches[2].definitions[0].jsonPatches[3].path: Invalid value: "/spec/list/0": elements in arrays can not be accessed in a replace operation'));
    assert.ok(got.includes('spec.patches[2].definitions[0].jsonPatches[5].valueFrom.variable: Invalid value: "missing.field": variable with name missing.field cannot be found'));
    assert.ok(got.includes('spec.patches[2].definitions[0].jsonPatches[6].valueFrom.variable: Invalid value: "builtin.cluster.nope": not a defined builtin variable'));
    assert.ok(got.includes('spec.patches[2].definitions[0].selector.matchResources.machineDeploymentClass.names[0]: Invalid value: "a*b": "*" rune can only appear at the beginning, or ending of the selector'));
    assert.ok(got.includes('spec.patches[2].definitions[0].selector.matchResources.machineDeploymentClass.names[1]: Invalid value: "**": selector can at most contain a single "*" rune'));
    assert.ok(got.includes('spec.patches[2].definitions[0].selector.matchResources.infrastructureCluster: Invalid value: true: selector is enabled but does not match the infrastructure ref'));
  });
});
