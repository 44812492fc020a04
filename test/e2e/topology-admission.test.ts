/**
 * Topology admission end to end: real kubectl against a real plane. Refusals carry the field path in kubectl's
 * one-line error and write nothing; accepted Clusters come back with their variables defaulted; a ClusterClass in
 * use cannot lose a variable or be deleted; the ClusterClass controller publishes the class's variables.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startPlane, type TestPlane } from '../support/plane.js';
import { conditionOf, kube, waitFor, type Kube } from '../support/capi.js';
import { testClassYaml, testClusterYaml } from '../support/topology-class.js';

describe('topology admission (kubectl)', () => {
  let t: TestPlane;
  let kb: Kube;

  before(async () => {
    t = await startPlane({ storage: 'memory' });
    kb = kube(t);
    await kb.ok(['apply', '-f', '-'], testClassYaml());
  });
  after(async () => {
    await t?.close();
  });

  /** kubectl fails with every `want` on stderr, and `kubectl get cluster NAME` still says NotFound. */
  async function refusedAndAbsent(args: string[], input: string | undefined, name: string, ...want: string[]): Promise<string> {
    const r = await kb.k(args, input);
    assert.notEqual(r.code, 0, `kubectl ${args.join(' ')} should fail; stdout: ${r.stdout}`);
    for (const w of want) assert.ok(r.stderr.includes(w), `stderr lacks ${JSON.stringify(w)}: ${r.stderr}`);
    const get = await kb.k(['get', 'cluster', name, '-n', 'default']);
    assert.notEqual(get.code, 0);
    assert.match(get.stderr, /NotFound|not found/);
    return r.stderr;
  }

  test('the ClusterClass controller publishes the variables and marks the class ready', async () => {
    const cc = await waitFor<{ status?: { variables?: { name: string; definitions: { from: string }[] }[]; conditions?: { type: string; status: string }[] } }>(
      kb,
      ['get', 'clusterclass', 'test-class', '-n', 'default'],
      (o) => conditionOf(o, 'VariablesReady')?.status === 'True' && conditionOf(o, 'RefVersionsUpToDate')?.status === 'True',
      30_000,
    );
    assert.deepEqual(cc.status?.variables?.map((v) => `${v.name}:${v.definitions.map((d) => d.from).join(',')}`), ['apiServerExtraArgs:inline', 'brokenPatch:inline', 'workerLabels:inline']);
  });

  test('a variable that fails the class schema is refused with its path; nothing is written', async () => {
    const yaml = testClusterYaml({ name: 'bad-var', variables: `    - name: apiServerExtraArgs\n      value:\n        max-requests-inflight: 400\n` });
    const stderr = await refusedAndAbsent(['apply', '-f', '-'], yaml, 'bad-var', 'spec.topology.variables[apiServerExtraArgs].value.max-requests-inflight: Invalid value:', 'must be of type string');
    assert.match(stderr, /The Cluster "bad-var" is invalid/);
    // Server-side dry run says the same.
    await refusedAndAbsent(['apply', '--dry-run=server', '-f', '-'], yaml, 'bad-var', 'spec.topology.variables[apiServerExtraArgs].value.max-requests-inflight');
  });

  test('a Cluster naming a missing class is refused', async () => {
    await refusedAndAbsent(['create', '-f', '-'], testClusterYaml({ name: 'no-class', cls: 'no-such-class' }), 'no-class', 'spec.topology.class: Invalid value: "no-such-class": ClusterClass with name "no-such-class" could not be found');
  });

  test('a worker class the class does not have is refused', async () => {
    await refusedAndAbsent(['create', '-f', '-'], testClusterYaml({ name: 'bad-pool', workers: [{ name: 'md-0', class: 'huge', replicas: 1 }] }), 'bad-pool', 'spec.topology.workers.machineDeployments[0].class: Invalid value: "huge": MachineDeploymentClass with name "huge" does not exist in ClusterClass "test-class"');
  });

  describe('with a Cluster of the class', () => {
    before(async () => {
      await kb.ok(['apply', '-f', '-'], testClusterYaml({ name: 'good', variables: `    - name: apiServerExtraArgs\n      value:\n        max-requests-inflight: "400"\n` }));
    });

    test('its variables come back defaulted from the class', async () => {
      const c = await kb.json<{ spec: { topology: { variables: { name: string; value: unknown }[] } } }>(['get', 'cluster', 'good', '-n', 'default']);
      assert.deepEqual(c.spec.topology.variables, [
        { name: 'apiServerExtraArgs', value: { 'max-requests-inflight': '400' } },
        { name: 'brokenPatch', value: false },
        { name: 'workerLabels', value: '' },
      ]);
    });

    test('a downgrade is refused and the version stays', async () => {
      const r = await kb.k(['patch', 'cluster', 'good', '-n', 'default', '--type', 'merge', '-p', '{"spec":{"topology":{"version":"v1.30.0"}}}']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /spec\.topology\.version: Invalid value: "v1\.30\.0": version cannot be decreased from "1\.31\.2" to "1\.30\.0"/);
      assert.equal((await kb.ok(['get', 'cluster', 'good', '-n', 'default', '-o', 'jsonpath={.spec.topology.version}'])).trim(), 'v1.31.2');
    });

    test('a bad variable change is refused and the stored value stays', async () => {
      const r = await kb.k(['patch', 'cluster', 'good', '-n', 'default', '--type', 'json', '-p', '[{"op":"replace","path":"/spec/topology/variables/1/value","value":"yes"}]']);
      assert.notEqual(r.code, 0);
      assert.ok(r.stderr.includes('spec.topology.variables[brokenPatch].value: Invalid value: "\\"yes\\"": must be of type boolean'), r.stderr);
      assert.equal((await kb.ok(['get', 'cluster', 'good', '-n', 'default', '-o', 'jsonpath={.spec.topology.variables[1].value}'])).trim(), 'false');
    });

    test('the class cannot drop a variable the Cluster sets, nor be deleted', async () => {
      const drop = await kb.k(['patch', 'clusterclass', 'test-class', '-n', 'default', '--type', 'json', '-p', '[{"op":"remove","path":"/spec/variables/0"}]']);
      assert.notEqual(drop.code, 0);
      assert.ok(drop.stderr.includes('spec.variables: Forbidden: variable apiServerExtraArgs can not be removed. It is used in Clusters [good]'), drop.stderr);
      const del = await kb.k(['delete', 'clusterclass', 'test-class', '-n', 'default']);
      assert.notEqual(del.code, 0);
      assert.ok(del.stderr.includes('clusterclasses.cluster.x-k8s.io "test-class" is forbidden: ClusterClass cannot be deleted because it is used by Cluster(s): default/good'), del.stderr);
      const cc = await kb.json<{ spec: { variables: { name: string }[] }; metadata: { deletionTimestamp?: string } }>(['get', 'clusterclass', 'test-class', '-n', 'default']);
      assert.equal(cc.metadata.deletionTimestamp, undefined);
      assert.deepEqual(cc.spec.variables.map((v) => v.name), ['apiServerExtraArgs', 'brokenPatch', 'workerLabels']);
    });
  });
});
